/*
 * sk.text: text helpers for Lua scorers, backed by the same C code as the
 * heuristic plugins (core/text), so a Lua scorer pays Lua prices only for
 * its own logic.
 *
 *   sk.text.levenshtein(a, b [, opts])  edit distance in code points, an
 *                                       integer ("é" vs "e" is 1, and so
 *                                       is one emoji vs another)
 *   sk.text.similarity(a, b [, opts])   1 - distance / max length, a float
 *                                       in [0, 1]; "" "" -> 1
 *   opts for levenshtein/similarity: {ignore_case = true} folds ASCII A-Z
 *   only (É and é still differ).
 *
 *   sk.text.normalize(s [, opts])       opts.case (default true: lower-case
 *                                       ASCII), opts.space (default true:
 *                                       trim, and collapse each whitespace
 *                                       run to one space), opts.punct
 *                                       (default false: drop ASCII
 *                                       punctuation, so "don't" -> "dont").
 *                                       Punctuation goes first: "a , b"
 *                                       -> "a b".  Other bytes are kept.
 *   sk.text.tokens(s)                   array of lower-cased words: maximal
 *                                       runs of ASCII letters/digits and
 *                                       bytes >= 0x80 (so UTF-8 letters stay
 *                                       inside words, and a lone "—" or "😀"
 *                                       is a word too).  The table carries
 *                                       the array marker registry["sk.array"]
 *                                       (see lua_json.h) so it encodes as a
 *                                       JSON array even when empty; if the
 *                                       marker is not set up, no metatable.
 *   sk.text.contains(s, needle [, opts]) boolean; opts.ignore_case folds
 *                                       ASCII.  An empty needle is found
 *                                       everywhere.  Linear time.
 *   sk.text.words(s)                    integer: the number of runs of
 *                                       non-whitespace bytes
 *
 * Whitespace is ASCII space, \t, \n, \v, \f, \r; punctuation is the ASCII
 * punctuation characters; nothing depends on the C locale.  Strings are
 * taken by length, so NUL bytes are ordinary characters (neither space nor
 * punctuation nor a word character).  Invalid UTF-8 counts one U+FFFD per
 * bad byte in levenshtein/similarity (see text/utf8.h).
 *
 * Work is charged to the meter given to sk_lua_text_open (lua_meter.h):
 * levenshtein and similarity one unit per step of the bit-parallel scan
 * (a character against 64 of the other string) as they go, the others in
 * proportion to the bytes they read, before they start.  A call the meter
 * stops raises its error instead of returning.
 *
 * Every argument is checked with luaL_check* (numbers are accepted where
 * strings are expected, as everywhere in Lua); a wrong type is a Lua error
 * naming the function and argument ("bad argument #1 to 'levenshtein'
 * (string expected, got nil)").  An opts table may be nil or absent; any
 * key that is not an option of that function, and any value that is not a
 * boolean, is an error ("sk.text.normalize: unknown option 'x' (options:
 * case, space, punct)"), so a typo never silently does nothing.
 */
#ifndef SK_LUA_TEXT_H
#define SK_LUA_TEXT_H

#include <lua.h>

#include "lua/lua_meter.h"

/* Set field "text" of the table at the top of the stack to the sk.text
 * library, whose work is charged to `meter` (borrowed for the life of the
 * state; NULL: nothing is charged).  The library is also stored as
 * registry._LOADED["sk.text"] (what luaL_requiref does), which lets Lua
 * name a function in an argument error even when the call site gives no
 * name (pcall(f, ...), a callback); it also makes require("sk.text") work
 * where `require` is available.  Raises only memory errors.  [-0, +0, m] */
void sk_lua_text_open(lua_State *L, const sk_lua_meter *meter);

#endif
