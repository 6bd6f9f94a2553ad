/*
 * test_json_writer.c - the JSON writer writes what jansson's
 * json_dumps(JSON_COMPACT) writes for the same document, byte for byte
 * (the snapshots it replaced were made that way, and stored ones are
 * compared with new ones).
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/json_writer.h"

/* What jansson writes for o (o is consumed). */
static char *jansson_text(json_t *o)
{
    cr_assert_not_null(o);
    char *s = json_dumps(o, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(o);
    cr_assert_not_null(s);
    return s;
}

static void assert_same(buf *ours, json_t *theirs)
{
    char *want = jansson_text(theirs);
    cr_assert_str_eq(buf_cstr(ours), want);
    free(want);
}

Test(json_writer, every_ascii_byte_escaped_as_jansson_does)
{
    char s[128];
    for (int c = 1; c < 128; c++)
        s[c - 1] = (char)c;
    s[127] = '\0';
    buf b = {0};
    json_writer w;
    jw_init(&w, &b);
    jw_string(&w, s);
    assert_same(&b, json_string(s));
    buf_free(&b);
}

Test(json_writer, utf8_copied_as_is)
{
    const char *names[] = { "", "LÉA", "\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e", "O'BRIEN \"JR\"",
                            "a\\b/c", "line\nbreak\ttab\x01\x1f" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        buf b = {0};
        json_writer w;
        jw_init(&w, &b);
        jw_string(&w, names[i]);
        assert_same(&b, json_string(names[i]));
        buf_free(&b);
    }
}

Test(json_writer, nested_objects_arrays_and_scalars)
{
    buf b = {0};
    json_writer w;
    jw_init(&w, &b);
    jw_object_begin(&w);
    jw_member_int(&w, "min", INT64_MIN);
    jw_member_int(&w, "max", INT64_MAX);
    jw_member_int(&w, "zero", 0);
    jw_member_bool(&w, "t", 1);
    jw_member_bool(&w, "f", 0);
    jw_member_string(&w, "s", "x");
    jw_member_string(&w, "null_is_empty", NULL);
    jw_key(&w, "empty_array");
    jw_array_begin(&w);
    jw_array_end(&w);
    jw_key(&w, "empty_object");
    jw_object_begin(&w);
    jw_object_end(&w);
    jw_key(&w, "list");
    jw_array_begin(&w);
    jw_int(&w, -7);
    jw_string(&w, "b");
    jw_object_begin(&w);
    jw_member_string(&w, "k", "v");
    jw_key(&w, "inner");
    jw_array_begin(&w);
    jw_bool(&w, 1);
    jw_array_end(&w);
    jw_object_end(&w);
    jw_array_end(&w);
    jw_object_end(&w);

    json_t *o = json_pack("{s:I, s:I, s:I, s:b, s:b, s:s, s:s, s:[], s:{}, s:[i, s, {s:s, s:[b]}]}",
                          "min", (json_int_t)INT64_MIN, "max", (json_int_t)INT64_MAX,
                          "zero", (json_int_t)0, "t", 1, "f", 0, "s", "x", "null_is_empty", "",
                          "empty_array", "empty_object", "list", -7, "b", "k", "v", "inner", 1);
    assert_same(&b, o);
    cr_assert_eq(w.depth, 0);
    buf_free(&b);
}

Test(json_writer, appends_to_what_the_buffer_holds)
{
    buf b = {0};
    buf_puts(&b, "prefix:");
    json_writer w;
    jw_init(&w, &b);
    jw_array_begin(&w);
    jw_int(&w, 1);
    jw_int(&w, 2);
    jw_array_end(&w);
    cr_assert_str_eq(buf_cstr(&b), "prefix:[1,2]");
    buf_free(&b);
}
