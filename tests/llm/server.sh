# Start and stop the fake LLM server from a CLI test (source after lib.sh):
#   llm_server_start [ARGS...]   sets LLM_PORT and LLM_URL (http://127.0.0.1:PORT)
#   llm_server_stop              (also run at exit)
llm_server_start() {
    rm -f "$T/llm.port"
    "$SK_BUILDDIR/tests/llm/llm_server" --port-file "$T/llm.port" "$@" &
    LLM_PID=$!
    i=0
    while [ ! -s "$T/llm.port" ] && [ $i -lt 500 ]; do
        sleep 0.02
        i=$((i + 1))
    done
    LLM_PORT=$(cat "$T/llm.port" 2>/dev/null)
    [ -n "$LLM_PORT" ] || { echo "the LLM test server did not start" >&2; exit 1; }
    LLM_URL="http://127.0.0.1:$LLM_PORT"
    trap 'llm_server_stop; rm -rf "$T"' EXIT
}

llm_server_stop() {
    if [ -n "${LLM_PID:-}" ]; then
        kill "$LLM_PID" 2>/dev/null
        wait "$LLM_PID" 2>/dev/null
        LLM_PID=
    fi
}
