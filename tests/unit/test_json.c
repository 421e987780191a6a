/* SPDX-License-Identifier: Apache-2.0 */
/* The JSON tree: byte-exact round trips of the engines' files, Go's escaping,
 * every input the parser must refuse, Go's key matching and the typed
 * number readers. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_host.h"
#include "hardrun/json.h"
#include "hardrun/util.h"

static struct hr_json *
parse_ok (const char *text)
{
  hr_error_t err = NULL;
  struct hr_json *j = hr_json_parse (text, strlen (text), &err);

  cr_assert_not_null (j, "parse of %s failed: %s", text, err ? err->msg : "?");
  cr_assert_null (err);
  return j;
}

/* The parser refuses buf and says why (the message contains needle). */
static void
parse_fails_len (const char *buf, size_t len, const char *needle)
{
  hr_error_t err = NULL;
  struct hr_json *j = hr_json_parse (buf, len, &err);

  cr_assert_null (j, "parse of \"%.*s\" should fail", (int)(len > 80 ? 80 : len), buf);
  cr_assert_not_null (err, "no error for \"%.*s\"", (int)(len > 80 ? 80 : len), buf);
  cr_assert_not_null (err->msg);
  cr_assert (strstr (err->msg, needle) != NULL, "error \"%s\" does not mention \"%s\"", err->msg, needle);
  hr_error_free (&err);
}

static void
parse_fails (const char *text, const char *needle)
{
  parse_fails_len (text, strlen (text), needle);
}

/* Compact serialization of text after parsing. */
static char *
reserialize (const char *text)
{
  cleanup_json struct hr_json *j = parse_ok (text);
  return hr_json_serialize (j, NULL);
}

static void
assert_reserializes_to (const char *text, const char *expected)
{
  cleanup_free char *out = reserialize (text);
  cr_assert_str_eq (out, expected, "%s serialized as %s, expected %s", text, out, expected);
}

/* Round trips of the recorded engine files. */

static size_t
check_round_trip (const char *pattern, bool trailing_newline)
{
  size_t count = 0;
  char **files = fake_fixture_list (pattern, &count);

  for (size_t i = 0; i < count; i++)
    {
      size_t len = 0, out_len = 0;
      cleanup_free char *text = fake_read_file (files[i], &len);
      cleanup_free char *out = NULL;
      cleanup_json struct hr_json *j = NULL;
      hr_error_t err = NULL;

      cr_assert_not_null (text, "cannot read %s", files[i]);
      if (trailing_newline)
        {
          cr_assert (len > 0 && text[len - 1] == '\n', "%s does not end with a newline", files[i]);
          len--;
        }
      j = hr_json_parse (text, len, &err);
      cr_assert_not_null (j, "%s: %s", files[i], err ? err->msg : "?");
      out = hr_json_serialize (j, &out_len);
      cr_assert_eq (out_len, len, "%s: serialized %zu bytes, the file has %zu", files[i], out_len, len);
      cr_assert (memcmp (out, text, len) == 0, "%s does not round-trip byte for byte", files[i]);
    }
  fake_free_list (files);
  return count;
}

Test (json_round_trip, every_fixture_config)
{
  cr_assert_eq (check_round_trip ("*/*/config.json", false), 16);
}

Test (json_round_trip, every_fixture_process_file)
{
  cr_assert_eq (check_round_trip ("*/*/*.process.json", true), 5);
}

Test (json_round_trip, numbers_keep_their_text)
{
  const char *text = "{\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":18446744073709551615,\"soft\":"
                     "18446744073709551615}],\"args\":[{\"index\":0,\"value\":2114060288,\"valueTwo\":0,\"op\":"
                     "\"SCMP_CMP_MASKED_EQ\"}],\"f\":1.50,\"e\":1E+400,\"n\":-0}";
  cleanup_json struct hr_json *j = parse_ok (text);
  cleanup_free char *out = hr_json_serialize (j, NULL);
  const char *const path[] = { "rlimits", NULL };
  struct hr_json *rl = hr_json_get_path (j, path);
  uint64_t u = 0;

  cr_assert_str_eq (out, text);
  cr_assert_str_eq (hr_json_get (rl->items[0], "hard")->text, "18446744073709551615");
  cr_assert_eq (hr_json_number_to_uint64 (hr_json_get (rl->items[0], "hard"), &u), 0);
  cr_assert_eq (u, UINT64_MAX);
  cr_assert_str_eq (hr_json_get (j, "f")->text, "1.50");
}

Test (json_round_trip, edit_keeps_unknown_members_and_order)
{
  const char *text = "{\"zeta\":{\"x-unknown\":[1,{\"deep\":true}]},\"process\":{\"terminal\":false,"
                     "\"noNewPrivileges\":false,\"futureField\":\"keep\"},\"alpha\":18446744073709551615,"
                     "\"Annotations\":{\"b\":\"2\",\"a\":\"1\"}}";
  const char *expected = "{\"zeta\":{\"x-unknown\":[1,{\"deep\":true}]},\"process\":{\"terminal\":false,"
                         "\"noNewPrivileges\":true,\"futureField\":\"keep\"},\"alpha\":18446744073709551615,"
                         "\"Annotations\":{\"b\":\"2\",\"a\":\"1\"},\"added\":\"x\"}";
  cleanup_json struct hr_json *j = parse_ok (text);
  cleanup_free char *out = NULL;

  hr_json_set (hr_json_get (j, "process"), "noNewPrivileges", hr_json_new_bool (true));
  hr_json_set (j, "added", hr_json_new_string ("x"));
  out = hr_json_serialize (j, NULL);
  cr_assert_str_eq (out, expected);
}

Test (json_round_trip, set_keeps_the_key_as_written)
{
  cleanup_json struct hr_json *j = parse_ok ("{\"a\":1,\"NoNewPrivileges\":false,\"b\":2}");
  cleanup_free char *out = NULL;

  hr_json_set (j, "noNewPrivileges", hr_json_new_bool (true));
  out = hr_json_serialize (j, NULL);
  cr_assert_str_eq (out, "{\"a\":1,\"NoNewPrivileges\":true,\"b\":2}");
}

Test (json_round_trip, pretty_output_parses_back_equal)
{
  cleanup_json struct hr_json *j = parse_ok ("{\"a\":[1,2,{\"b\":null}],\"c\":{},\"d\":[],\"e\":\"<x>\"}");
  cleanup_free char *pretty = hr_json_serialize_pretty (j);
  cleanup_json struct hr_json *back = parse_ok (pretty);

  cr_assert (hr_json_equal (j, back));
  cr_assert_str_eq (pretty, "{\n  \"a\": [\n    1,\n    2,\n    {\n      \"b\": null\n    }\n  ],\n  \"c\": {},\n"
                            "  \"d\": [],\n  \"e\": \"\\u003cx\\u003e\"\n}\n");
}

/* Go's escaping. */

Test (json_escape, html_characters)
{
  assert_reserializes_to ("[\"<a href=\\\"x\\\">&amp;</a>\"]",
                          "[\"\\u003ca href=\\\"x\\\"\\u003e\\u0026amp;\\u003c/a\\u003e\"]");
  assert_reserializes_to ("{\"<k>\":1}", "{\"\\u003ck\\u003e\":1}");
}

Test (json_escape, line_and_paragraph_separators)
{
  assert_reserializes_to ("[\"a\xe2\x80\xa8"
                          "b\xe2\x80\xa9"
                          "c\"]",
                          "[\"a\\u2028b\\u2029c\"]");
  assert_reserializes_to ("[\"\\u2028\"]", "[\"\\u2028\"]");
  /* other characters stay raw UTF-8, as Go writes them */
  assert_reserializes_to ("[\"\\u00e9\\u20ac\\ud83d\\ude00\"]", "[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"]");
}

Test (json_escape, control_characters)
{
  assert_reserializes_to ("[\"\\n\\r\\t\"]", "[\"\\n\\r\\t\"]");
  assert_reserializes_to ("[\"\\u0001\\b\\f\\u001f\\u007f\"]", "[\"\\u0001\\u0008\\u000c\\u001f\x7f\"]");
  assert_reserializes_to ("[\"\\/\\\\\\\"\"]", "[\"/\\\\\\\"\"]");
}

Test (json_escape, built_strings)
{
  cleanup_json struct hr_json *s = hr_json_new_string ("a\x01<\n\xe2\x80\xa8z");
  cleanup_free char *out = hr_json_serialize (s, NULL);

  cr_assert_str_eq (out, "\"a\\u0001\\u003c\\n\\u2028z\"");
}

/* Inputs the parser refuses. */

Test (json_refuse, empty_truncated_and_garbage)
{
  parse_fails ("", "empty");
  parse_fails ("{\"process\":{\"cwd\":\"/", "invalid JSON");
  parse_fails ("{\"a\":", "invalid JSON");
  parse_fails ("[1,2", "invalid JSON");
  parse_fails ("not json", "invalid JSON");
  parse_fails ("{'a':1}", "invalid JSON");
  parse_fails ("{\"a\":1,}", "invalid JSON");
  parse_fails ("{} x", "invalid JSON");
  parse_fails ("{}{}", "invalid JSON");
  parse_fails ("{\"a\":1}\n]", "invalid JSON");
}

Test (json_refuse, syntax_error_names_line_and_column)
{
  parse_fails ("{\n  \"a\": tru\n}", "line 2");
}

/* An error message is one line: it ends up in the engine's error output
 * and in JSON log lines (policy/json_parse.c set_syntax_error). */
Test (json_refuse, syntax_error_is_one_line)
{
  static const char *const bad[] = { "[01]", "{\"a\":", "x", "[1,]", "{} x" };

  for (size_t i = 0; i < HR_ARRAY_SIZE (bad); i++)
    {
      hr_error_t err = NULL;

      cr_assert_null (hr_json_parse (bad[i], strlen (bad[i]), &err));
      cr_assert_null (strchr (err->msg, '\n'), "%s: \"%s\" has a newline", bad[i], err->msg);
      cr_assert_neq (err->msg[strlen (err->msg) - 1], ' ');
      hr_error_free (&err);
    }
}

/* What Go's decoder refuses, hardrun refuses. */
Test (json_refuse, go_grammar)
{
  static const char *const bad[]
      = { "[01]",       "[1.]",       "[.5]",           "[+1]",       "[-]",          "[1e]",
          "[NaN]",      "[Infinity]", "[\"a\tb\"]",     "[\"a\nb\"]", "[1,]",         "[,1]",
          "{\"a\":1,}", "[\"\\x\"]",  "\xef\xbb\xbf{}", "{\"a\" 1}",  "[true false]", "[nul]" };

  for (size_t i = 0; i < HR_ARRAY_SIZE (bad); i++)
    parse_fails (bad[i], "invalid JSON");
  assert_reserializes_to ("[-0.0e-0,1E400,0,-1]", "[-0.0e-0,1E400,0,-1]");
  assert_reserializes_to (" {\"a\" : [ 1 , 2 ] } ", "{\"a\":[1,2]}");
  assert_reserializes_to ("\"top\"", "\"top\"");
}

Test (json_refuse, trailing_whitespace_is_fine)
{
  cleanup_json struct hr_json *j = parse_ok ("{\"a\":1}\n\t \n");
  cr_assert_eq (j->type, HR_JSON_OBJECT);
}

static char *
nested_arrays (int depth)
{
  char *s = xmalloc ((size_t)depth * 2 + 1);

  for (int i = 0; i < depth; i++)
    {
      s[i] = '[';
      s[depth * 2 - 1 - i] = ']';
    }
  s[depth * 2] = '\0';
  return s;
}

Test (json_refuse, nesting_depth)
{
  cleanup_free char *ok = nested_arrays (HR_JSON_MAX_DEPTH);
  cleanup_free char *deep = nested_arrays (HR_JSON_MAX_DEPTH + 1);
  cleanup_free char *very_deep = nested_arrays (100000);
  cleanup_json struct hr_json *j = parse_ok (ok);

  cr_assert_eq (j->type, HR_JSON_ARRAY);
  parse_fails (deep, "nesting deeper than 64");
  parse_fails (very_deep, "nesting deeper than 64");
  parse_fails ("{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":{\"j\":{\"k\":{\"l\":{\"m\":{\"n\":"
               "{\"o\":{\"p\":{\"q\":{\"r\":{\"s\":{\"t\":{\"u\":{\"v\":{\"w\":{\"x\":{\"y\":{\"z\":{\"a\":{\"b\":"
               "{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":{\"j\":{\"k\":{\"l\":{\"m\":{\"n\":{\"o\":{\"p\":"
               "{\"q\":{\"r\":{\"s\":{\"t\":{\"u\":{\"v\":{\"w\":{\"x\":{\"y\":{\"z\":{\"a\":{\"b\":{\"c\":{\"d\":"
               "{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":{\"j\":{\"k\":{\"l\":{\"m\":{}",
               "nesting deeper than 64");
}

Test (json_refuse, invalid_utf8)
{
  parse_fails ("[\"a\xff\"]", "invalid UTF-8");
  parse_fails ("[\"\xc3\"]", "invalid UTF-8");
  parse_fails ("[\"\xe2\x82\"]", "invalid UTF-8");
  parse_fails ("[\"\x80\"]", "invalid UTF-8");
  parse_fails ("[\"\xf4\x90\x80\x80\"]", "invalid UTF-8"); /* above U+10FFFF */
  parse_fails ("{\"k\xfe\":1}", "invalid UTF-8");
}

Test (json_refuse, overlong_utf8)
{
  parse_fails ("[\"\xc0\xaf\"]", "invalid UTF-8");
  parse_fails ("[\"\xc1\xbf\"]", "invalid UTF-8");
  parse_fails ("[\"\xe0\x80\xaf\"]", "invalid UTF-8");
  parse_fails ("[\"\xf0\x80\x80\xaf\"]", "invalid UTF-8");
}

Test (json_refuse, utf8_encoded_surrogates)
{
  parse_fails ("[\"\xed\xa0\x80\"]", "invalid UTF-8");
  parse_fails ("[\"\xed\xbf\xbf\"]", "invalid UTF-8");
}

Test (json_refuse, unpaired_surrogate_escapes)
{
  parse_fails ("[\"\\ud800\"]", "unpaired UTF-16 surrogate");
  parse_fails ("[\"\\udc00\"]", "unpaired UTF-16 surrogate");
  parse_fails ("[\"\\uD800x\"]", "unpaired UTF-16 surrogate");
  parse_fails ("[\"\\ud800\\u0041\"]", "unpaired UTF-16 surrogate");
  parse_fails ("[\"\\ud800\\ud800\"]", "unpaired UTF-16 surrogate");
  parse_fails ("{\"\\udfff\":1}", "unpaired UTF-16 surrogate");
}

Test (json_refuse, escaped_backslash_before_u_is_not_an_escape)
{
  cleanup_json struct hr_json *j = parse_ok ("[\"\\\\ud800\"]");
  cr_assert_str_eq (j->items[0]->text, "\\ud800");
}

Test (json_refuse, nul_characters)
{
  parse_fails ("[\"a\\u0000b\"]", "NUL character in string");
  parse_fails ("{\"a\\u0000\":1}", "NUL character in key");
  parse_fails_len ("[\"a\0b\"]", 6, "invalid JSON");
}

Test (json_refuse, duplicate_keys)
{
  parse_fails ("{\"a\":1,\"a\":2}", "duplicate key \"a\"");
  parse_fails ("{\"process\":{},\"Process\":{}}", "duplicate key \"Process\"");
  parse_fails ("{\"PROCESS\":{},\"process\":{}}", "duplicate key \"process\"");
  parse_fails ("{\"x\":{\"noNewPrivileges\":false,\"nonewprivileges\":true}}", "duplicate key");
}

/* The error names the place: the object that holds the duplicate, the
 * string with the NUL (policy/json_parse.c current_path). */
Test (json_refuse, error_names_where)
{
  parse_fails ("{\"process\":{\"capabilities\":{\"bounding\":[],\"Bounding\":[]}}}",
               "duplicate key \"Bounding\" (keys that differ only in case are the same key to the runtime) at "
               "process.capabilities");
  parse_fails ("{\"a\":1,\"A\":2}", "at the top level");
  parse_fails ("{\"process\":{\"args\":[\"sh\",\"a\\u0000b\"]}}", "NUL character in string at process.args[1]");
  parse_fails ("{\"mounts\":[{},{\"options\":[\"x\\u0000\"]}]}", "NUL character in string at mounts[1].options[0]");
  parse_fails ("{\"process\":{\"env\\u0000\":[]}}", "NUL character in key at process");
  parse_fails ("[[[{\"k\":{\"K\":1,\"k\":2}}]]]", "at [0][0][0].k");
}

Test (json_refuse, go_special_folds)
{
  parse_fails ("{\"process\":1,\"proce\xc5\xbfs\":2}", "duplicate key");
  parse_fails ("{\"proce\xc5\xbf\xc5\xbf\":1,\"PROCESS\":2}", "duplicate key");
  parse_fails ("{\"kelvin\":1,\"\xe2\x84\xaa"
               "elvin\":2}",
               "duplicate key");
  parse_fails ("{\"\\u212aelvin\":1,\"Kelvin\":2}", "duplicate key");
  parse_fails ("{\"process\":1,\"proce\\u017fs\":2}", "duplicate key");
}

Test (json_refuse, distinct_keys_are_fine)
{
  cleanup_json struct hr_json *j = parse_ok ("{\"process\":1,\"processes\":2,\"pr\xc3\xb6"
                                             "cess\":3,\"_process\":4}");
  cr_assert_eq (j->len, 4);
}

Test (json_refuse, many_keys)
{
  /* the duplicate detection works past its first growth */
  char buf[8192];
  size_t o = 0;

  o += (size_t)snprintf (buf + o, sizeof buf - o, "{");
  for (int i = 0; i < 200; i++)
    o += (size_t)snprintf (buf + o, sizeof buf - o, "\"key%d\":%d,", i, i);
  o += (size_t)snprintf (buf + o, sizeof buf - o, "\"KEY7\":0}");
  parse_fails (buf, "duplicate key \"KEY7\"");
  buf[o - 6] = 'X'; /* "KEYX" is new */
  {
    cleanup_json struct hr_json *j = parse_ok (buf);
    cr_assert_eq (j->len, 201);
  }
}

Test (json_refuse, larger_than_max_size)
{
  size_t len = (size_t)HR_JSON_MAX_SIZE + 1;
  cleanup_free char *buf = xmalloc (len);

  memset (buf, ' ', len);
  buf[0] = '[';
  buf[len - 1] = ']';
  parse_fails_len (buf, len, "larger than");
}

/* Go's key matching. */

Test (json_keys, key_matches)
{
  cr_assert (hr_json_key_matches ("process", "process"));
  cr_assert (hr_json_key_matches ("PROCESS", "process"));
  cr_assert (hr_json_key_matches ("Process", "process"));
  cr_assert (hr_json_key_matches ("proce\xc5\xbfs", "process"));
  cr_assert (hr_json_key_matches ("\xe2\x84\xaa"
                                  "elvin",
                                  "kelvin"));
  cr_assert (hr_json_key_matches ("noNewPrivileges", "NONEWPRIVILEGES"));
  cr_assert_not (hr_json_key_matches ("prucess", "process"));
  cr_assert_not (hr_json_key_matches ("process ", "process"));
  cr_assert_not (hr_json_key_matches ("proc", "process"));
  cr_assert_not (hr_json_key_matches ("pr\xc3\xb6"
                                      "cess",
                                      "process"));
  cr_assert_not (hr_json_key_matches ("proce\xc5\xbf", "process"));
}

Test (json_keys, get_folds_and_prefers_exact)
{
  cleanup_json struct hr_json *j = parse_ok ("{\"Process\":{\"Cwd\":\"/x\"},\"\xe2\x84\xaa"
                                             "ind\":7,\"n\":null}");
  const char *const path[] = { "process", "cwd", NULL };

  cr_assert_not_null (hr_json_get (j, "process"));
  cr_assert_eq (hr_json_get (j, "process"), hr_json_get (j, "Process"));
  cr_assert_str_eq (hr_json_get_path (j, path)->text, "/x");
  cr_assert_str_eq (hr_json_get (j, "kind")->text, "7");
  cr_assert_null (hr_json_get (j, "processes"));
  cr_assert_not_null (hr_json_get (j, "n"));
  cr_assert_null (hr_json_get_value (j, "n"));
  cr_assert_null (hr_json_get (hr_json_get (j, "kind"), "x")); /* not an object */
}

Test (json_keys, remove_folds)
{
  cleanup_json struct hr_json *j = parse_ok ("{\"a\":1,\"Linux\":{},\"b\":2}");
  cleanup_free char *out = NULL;

  cr_assert (hr_json_remove (j, "linux"));
  cr_assert_not (hr_json_remove (j, "linux"));
  out = hr_json_serialize (j, NULL);
  cr_assert_str_eq (out, "{\"a\":1,\"b\":2}");
}

/* Number readers. */

static int
read_i64 (const char *text, int64_t *v)
{
  cleanup_json struct hr_json *j = parse_ok (text);
  hr_error_t err = NULL;
  int ret = hr_json_read_int64 (j, "v", "test", v, &err);

  cr_assert ((ret < 0) == (err != NULL));
  hr_error_free (&err);
  return ret;
}

static int
read_u32 (const char *text, uint32_t *v, const char *needle)
{
  cleanup_json struct hr_json *j = parse_ok (text);
  hr_error_t err = NULL;
  int ret = hr_json_read_uint32 (j, "v", "test", v, &err);

  cr_assert ((ret < 0) == (err != NULL));
  if (ret < 0 && needle)
    cr_assert (strstr (err->msg, needle) != NULL, "\"%s\" lacks \"%s\"", err->msg, needle);
  hr_error_free (&err);
  return ret;
}

Test (json_numbers, int64)
{
  int64_t v = 5;

  cr_assert_eq (read_i64 ("{\"v\":-42}", &v), 0);
  cr_assert_eq (v, -42);
  cr_assert_eq (read_i64 ("{\"v\":9223372036854775807}", &v), 0);
  cr_assert_eq (v, INT64_MAX);
  cr_assert_eq (read_i64 ("{\"V\":3}", &v), 0);
  cr_assert_eq (v, 3);
  v = 5;
  cr_assert_eq (read_i64 ("{\"other\":3}", &v), 0);
  cr_assert_eq (v, 5, "an absent member keeps the default");
  cr_assert_eq (read_i64 ("{\"v\":null}", &v), 0);
  cr_assert_eq (v, 5);
  cr_assert_lt (read_i64 ("{\"v\":1.0}", &v), 0);
  cr_assert_lt (read_i64 ("{\"v\":1e2}", &v), 0);
  cr_assert_lt (read_i64 ("{\"v\":1E2}", &v), 0);
  cr_assert_lt (read_i64 ("{\"v\":9223372036854775808}", &v), 0);
  cr_assert_lt (read_i64 ("{\"v\":\"1\"}", &v), 0);
  cr_assert_lt (read_i64 ("{\"v\":true}", &v), 0);
  cr_assert_eq (v, 5, "a failed read leaves the value alone");
}

Test (json_numbers, uint32)
{
  uint32_t v = 9;

  cr_assert_eq (read_u32 ("{\"v\":4294967295}", &v, NULL), 0);
  cr_assert_eq (v, UINT32_MAX);
  cr_assert_eq (read_u32 ("{\"v\":0}", &v, NULL), 0);
  cr_assert_eq (v, 0);
  cr_assert_lt (read_u32 ("{\"v\":4294967296}", &v, "not an unsigned 32-bit integer"), 0);
  cr_assert_lt (read_u32 ("{\"v\":-1}", &v, "not an unsigned 32-bit integer"), 0);
  cr_assert_lt (read_u32 ("{\"v\":-0}", &v, "not an unsigned 32-bit integer"), 0);
  cr_assert_lt (read_u32 ("{\"v\":1.0}", &v, "not an unsigned 32-bit integer"), 0);
  cr_assert_lt (read_u32 ("{\"v\":1e2}", &v, "not an unsigned 32-bit integer"), 0);
  cr_assert_lt (read_u32 ("{\"v\":\"7\"}", &v, "expected integer"), 0);
  cr_assert_eq (v, 0);
}

Test (json_numbers, uint64_and_int64_conversions)
{
  cleanup_json struct hr_json *j = parse_ok ("[18446744073709551615,18446744073709551616,-1,1.5,\"1\"]");
  uint64_t u = 0;
  int64_t i = 0;

  cr_assert_eq (hr_json_number_to_uint64 (j->items[0], &u), 0);
  cr_assert_eq (u, UINT64_MAX);
  cr_assert_lt (hr_json_number_to_int64 (j->items[0], &i), 0);
  cr_assert_lt (hr_json_number_to_uint64 (j->items[1], &u), 0);
  cr_assert_lt (hr_json_number_to_uint64 (j->items[2], &u), 0);
  cr_assert_eq (hr_json_number_to_int64 (j->items[2], &i), 0);
  cr_assert_eq (i, -1);
  cr_assert_lt (hr_json_number_to_int64 (j->items[3], &i), 0);
  cr_assert_lt (hr_json_number_to_int64 (j->items[4], &i), 0);
}

Test (json_numbers, typed_readers_name_the_field)
{
  cleanup_json struct hr_json *j = parse_ok ("{\"s\":1,\"b\":\"yes\",\"o\":[]}");
  hr_error_t err = NULL;
  const char *s = NULL;
  bool b = false;

  cr_assert_lt (hr_json_read_string (j, "s", "process", &s, &err), 0);
  cr_assert_str_eq (err->msg, "process.s: expected string, found number");
  hr_error_free (&err);
  cr_assert_lt (hr_json_read_bool (j, "b", "root", &b, &err), 0);
  cr_assert_str_eq (err->msg, "root.b: expected boolean, found string");
  hr_error_free (&err);
  cr_assert_lt (hr_json_check_type (j, "o", HR_JSON_OBJECT, "linux", &err), 0);
  cr_assert_str_eq (err->msg, "linux.o: expected object, found array");
  hr_error_free (&err);
}

/* Editing helpers. */

Test (json_edit, insert_remove_clone_equal)
{
  cleanup_json struct hr_json *j = parse_ok ("{\"a\":[1,2,3]}");
  cleanup_json struct hr_json *copy = NULL;
  struct hr_json *a = hr_json_get (j, "a");
  cleanup_free char *out = NULL;

  hr_json_insert_at (a, 0, hr_json_new_int (0));
  hr_json_insert_at (a, 4, hr_json_new_int (4));
  hr_json_insert_at (a, 2, hr_json_new_string ("x"));
  hr_json_remove_at (a, 1);
  out = hr_json_serialize (j, NULL);
  cr_assert_str_eq (out, "{\"a\":[0,\"x\",2,3,4]}");
  copy = hr_json_clone (j);
  cr_assert (hr_json_equal (j, copy));
  hr_json_set (copy, "b", hr_json_new (HR_JSON_NULL));
  cr_assert_not (hr_json_equal (j, copy));
  cr_assert (hr_json_strings_contain (a, "x"));
  cr_assert_not (hr_json_strings_contain (a, "2"));
}

Test (json_edit, ensure_containers)
{
  cleanup_json struct hr_json *j = parse_ok ("{\"n\":null,\"s\":\"x\",\"o\":{\"k\":1}}");
  cleanup_free char *out = NULL;

  cr_assert_not_null (hr_json_ensure_object (j, "n"));
  cr_assert_null (hr_json_ensure_object (j, "s"));
  cr_assert_eq (hr_json_ensure_object (j, "O"), hr_json_get (j, "o"));
  cr_assert_not_null (hr_json_ensure_array (j, "new"));
  out = hr_json_serialize (j, NULL);
  cr_assert_str_eq (out, "{\"n\":{},\"s\":\"x\",\"o\":{\"k\":1},\"new\":[]}");
}

/* hr_spec_parse_go: the spec as runc's Go decoder reads it. */
#include "hardrun/enforce.h"

static void
go_reads (const char *text, const char *expect)
{
  hr_error_t err = NULL;
  struct hr_json *j = hr_spec_parse_go (text, strlen (text), &err);
  char *out;

  cr_assert_not_null (j, "%s: %s", text, err ? err->msg : "?");
  out = hr_json_serialize (j, NULL);
  cr_assert_str_eq (out, expect, "%s", text);
  free (out);
  hr_json_free (j);
}

static void
go_refuses (const char *text, const char *needle)
{
  hr_error_t err = NULL;
  struct hr_json *j = hr_spec_parse_go (text, strlen (text), &err);

  cr_assert_null (j, "%s should fail", text);
  cr_assert (strstr (err->msg, needle) != NULL, "\"%s\" does not mention \"%s\"", err->msg, needle);
  hr_error_free (&err);
}

Test (go_decode, unchanged_without_duplicates)
{
  go_reads ("{\"Process\":{\"cwd\":\"/\",\"x-unknown\":[1,2]},\"annotations\":{\"a\":\"1\",\"A\":\"2\"}}",
            "{\"Process\":{\"cwd\":\"/\",\"x-unknown\":[1,2]},\"annotations\":{\"a\":\"1\",\"A\":\"2\"}}");
}

Test (go_decode, structs_and_pointers_merge)
{
  go_reads ("{\"linux\":{\"resources\":{\"cpu\":{\"shares\":5},\"CPU\":{\"quota\":7}}}}",
            "{\"linux\":{\"resources\":{\"cpu\":{\"shares\":5,\"quota\":7}}}}");
  go_reads ("{\"process\":{\"user\":{\"uid\":1}},\"proce\xc5\xbfs\":{\"cwd\":\"/\",\"USER\":{\"gid\":2}}}",
            "{\"process\":{\"user\":{\"uid\":1,\"gid\":2},\"cwd\":\"/\"}}");
}

Test (go_decode, null_resets_only_nilable)
{
  /* readonly (a bool) keeps true; seccomp (a pointer) becomes nil */
  go_reads ("{\"root\":{\"readonly\":true,\"READONLY\":null},\"linux\":{\"seccomp\":{\"defaultAction\":\"X\"},"
            "\"Seccomp\":null}}",
            "{\"root\":{\"readonly\":true},\"linux\":{\"seccomp\":null}}");
}

Test (go_decode, maps_merge_exact_keys)
{
  go_reads ("{\"annotations\":{\"a\":\"1\",\"a\":\"2\",\"A\":\"3\"},\"Annotations\":{\"b\":\"4\",\"n\":null}}",
            "{\"annotations\":{\"a\":\"2\",\"A\":\"3\",\"b\":\"4\",\"n\":\"\"}}");
}

Test (go_decode, slices_reuse_their_elements)
{
  /* element 0 merges; element 1 is decoded into what the first array left */
  go_reads ("{\"mounts\":[{\"destination\":\"/a\",\"source\":\"s\"},{\"destination\":\"/b\",\"source\":\"/etc\"}],"
            "\"Mounts\":[{\"destination\":\"/c\"}],\"MOUNTS\":[{\"type\":\"t\"},{\"destination\":\"/d\"}]}",
            "{\"mounts\":[{\"destination\":\"/c\",\"source\":\"s\",\"type\":\"t\"},"
            "{\"destination\":\"/d\",\"source\":\"/etc\"}]}");
  /* an empty array is a new slice: nothing comes back */
  go_reads ("{\"mounts\":[{\"destination\":\"/a\"}],\"Mounts\":[],\"MOUNTS\":[{\"type\":\"t\"}]}",
            "{\"mounts\":[{\"type\":\"t\"}]}");
}

Test (go_decode, refuses_what_go_refuses)
{
  go_refuses ("{\"process\":{\"cwd\":\"/\"},\"Process\":5}", "process: a JSON number");
  go_refuses ("{\"process\":{\"oomScoreAdj\":1,\"OOMScoreAdj\":1.5}}", "oomScoreAdj");
  go_refuses ("{\"linux\":{\"sysctl\":{\"a\":1}}}", "linux.sysctl.a");
  go_refuses ("[]", "not an object");
}

/* hr_json_parse_members: the top-level members named, nothing else built */
static struct hr_json *
members_of (const char *text, hr_error_t *err)
{
  static const char *const keep[] = { "init_process_pid", "init_process_start", NULL };

  return hr_json_parse_members (text, strlen (text), keep, err);
}

Test (json_members, only_the_named_members_are_built)
{
  hr_error_t err = NULL;
  cleanup_json struct hr_json *j
      = members_of ("{\"id\":\"c\",\"init_process_pid\":42,\"config\":{\"a\":[1,{\"b\":[[],{}]},\"x\"],\"c\":null},"
                    "\"labels\":[\"bundle=/x\"],\"created\":true,\"init_process_start\":1234,\"tail\":[{}]}",
                    &err);
  cleanup_free char *text = NULL;

  cr_assert_not_null (j, "%s", err ? err->msg : "");
  text = hr_json_serialize (j, NULL);
  cr_assert_str_eq (text, "{\"init_process_pid\":42,\"init_process_start\":1234}");
}

Test (json_members, names_match_as_hr_json_get_matches)
{
  hr_error_t err = NULL;
  cleanup_json struct hr_json *j = members_of ("{\"Init_Process_Pid\":7,\"other\":{\"init_process_pid\":9}}", &err);
  int64_t pid = 0;

  cr_assert_not_null (j);
  cr_assert_eq (hr_json_number_to_int64 (hr_json_get_value (j, "init_process_pid"), &pid), 0);
  cr_assert_eq (pid, 7, "a nested member of the same name is not a top-level one");
}

Test (json_members, what_is_read_past_is_still_checked)
{
  hr_error_t err = NULL;

  cr_assert_null (members_of ("{\"config\":{\"a\":[1,}]},\"init_process_pid\":1}", &err));
  cr_assert_not_null (err);
  hr_error_free (&err);
  cr_assert_null (members_of ("{\"init_process_pid\":1,\"INIT_PROCESS_PID\":2}", &err),
                  "a duplicate named member is refused as hr_json_parse refuses it");
  hr_error_free (&err);
}

Test (json_members, nesting_read_past_is_bounded_like_the_tree)
{
  hr_error_t err = NULL;
  size_t depth = HR_JSON_MAX_DEPTH + 8;
  cleanup_free char *text = xcalloc (2 * depth + 64, 1);
  char *p = text;

  p += sprintf (p, "{\"config\":");
  for (size_t i = 0; i < depth; i++)
    *p++ = '[';
  for (size_t i = 0; i < depth; i++)
    *p++ = ']';
  strcpy (p, ",\"init_process_pid\":1}");
  cr_assert_null (members_of (text, &err));
  cr_assert (strstr (err->msg, "nesting deeper") != NULL, "%s", err->msg);
  hr_error_free (&err);
}
