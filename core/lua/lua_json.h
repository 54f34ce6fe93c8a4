/*
 * JSON <-> Lua values, for Lua scorers.
 *
 *   JSON object  -> table with string keys (a repeated key: the last wins)
 *   JSON array   -> sequence table whose metatable is the array marker
 *                   (registry["sk.array"]), so [] and {} convert back
 *                   faithfully and an array with holes (nulls) keeps its
 *                   length
 *   JSON null    -> sk.null, a light userdata sentinel (SK_LUA_NULL)
 *   numbers      -> integers when written without '.', 'e' or 'E' and in
 *                   int64 range, else floats.  "-0" has integer syntax, so
 *                   it is the integer 0; "-0.0" is the float -0.0.  A float
 *                   beyond the double range becomes +-inf (which encode
 *                   then refuses)
 *   strings, true/false -> the same (\u0000 gives an embedded NUL byte; a
 *                   lone surrogate escape gives U+FFFD)
 *
 * Encoding goes the other way: a table is an array when it carries the
 * marker, or when it is non-empty and its keys are exactly 1..n; else an
 * object, whose keys must be strings (integer keys are written as their
 * decimal text; boolean, float, table... keys are errors naming the type).
 * Object members are written sorted by name (bytewise), so the same value
 * always gives the same text.  A marked array is written up to its largest
 * index, nil holes as null; keys other than 1..n are an error, and so is an
 * index above 1000 that is more than twice the element count (too sparse).
 * An empty unmarked table is {}.  Integers print exactly (LUA_INTEGER_FMT);
 * a float prints with the fewest of 15, 16 or 17 significant digits that
 * read back as the same double, plus ".0" when that has neither '.' nor
 * exponent, so it reads back as a float: 1.0 -> "1.0", -0.0 -> "-0.0",
 * 1e300 -> "1e+300".  Text is UTF-8 as it stands; only '"', '\\' and
 * control characters are escaped.  NaN, infinities, functions, threads,
 * userdata other than sk.null, cycles and nesting beyond
 * SK_LUA_JSON_MAX_DEPTH are errors, whose message starts with where the
 * value is ("$.items[2].name: ...").  Each byte of a Lua string that is not
 * part of valid UTF-8 is written as U+FFFD.  Tables are read raw: no
 * metamethod runs.
 *
 * Both directions need nothing global: any number of states may convert
 * at once on different threads.
 */
#ifndef SK_LUA_JSON_H
#define SK_LUA_JSON_H

#include <lua.h>
#include <stddef.h>

#include "base/util.h"
#include "lua/lua_meter.h"

#define SK_LUA_JSON_MAX_DEPTH 200

/* The sk.null sentinel's address (push it with lua_pushlightuserdata). */
extern const char sk_lua_null_tag;
#define SK_LUA_NULL ((void *)&sk_lua_null_tag)

/* Create registry["sk.array"], the array marker metatable (with __name
 * and __metatable both "sk.array", so scripts see getmetatable(a) ==
 * "sk.array" and cannot alter the table every array shares).  Idempotent;
 * the functions below create it too when missing.  Raises only on out of
 * memory.  [-0, +0, m] */
void sk_lua_json_init(lua_State *L);

/* Push the Lua value of the JSON text json[0..len) (borrowed for the
 * call).  The text is checked (strict RFC 8259, sk_json_check) unless
 * `trusted` (already validated, e.g. a row field); trusted text is still
 * parsed safely, but invalid escapes or UTF-8 in it may pass.  Returns 0,
 * or -1 with a message in err (errlen bytes, may be NULL; nothing pushed):
 * "line L, column C: why" for a bad text (C counts characters from 1),
 * "line L, column C: nesting deeper than 200 levels", or "out of memory
 * (...)" when the state's allocator refuses.  Never raises a Lua error:
 * safe to call outside a protected call.  [-0, +1 on success] */
int sk_lua_push_json(lua_State *L, const char *json, size_t len, int trusted, char *err,
                     size_t errlen);

/* Append the JSON text of the value at idx to out (compact, no spaces).
 * Returns 0, or -1 with a message in err ("$.a[2]: NaN is not a JSON
 * number", "$.self: a cycle: ...", "out of memory (...)"; out may hold a
 * partial text).  Never raises.  [-0, +0] */
int sk_lua_to_json(lua_State *L, int idx, sk_buf *out, char *err, size_t errlen);

/* Open sk.json (decode, encode) into the table at the top of the stack,
 * plus sk.null and sk.array(t) (marks t as an array and returns it; a
 * table with another metatable is refused).  sk.json.decode(text) returns
 * the value or raises "sk.json.decode: <why>"; sk.json.encode(v) returns
 * the text or raises "sk.json.encode: <why>".  Their work is charged to
 * `meter` (lua_meter.h; borrowed for the life of the state, NULL: not
 * charged) in proportion to the text's length: decode's before it starts,
 * encode's once the text is written (its length is not known before).
 * Raises only on out of memory.  [-0, +0, m] */
void sk_lua_json_open(lua_State *L, const sk_lua_meter *meter);

#endif
