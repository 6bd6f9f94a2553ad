/*
 * test_snapshot.c - snapshots are the text json_dumps(JSON_COMPACT |
 * JSON_SORT_KEYS) gives for them (what they were before core/ wrote them
 * itself): parsed and dumped again by jansson, each comes back byte for
 * byte, so keys are sorted, nothing is left out and escapes are jansson's.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/snapshot.h"
#include "util/buf.h"

/* text is consumed; returns the parsed document (caller decrefs). */
static json_t *assert_canonical(char *text)
{
    cr_assert_not_null(text);
    json_error_t je;
    json_t *o = json_loads(text, 0, &je);
    cr_assert_not_null(o, "not JSON: %s (%s)", text, je.text);
    char *again = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    cr_assert_str_eq(text, again);
    free(again);
    free(text);
    return o;
}

static const char *str(json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    cr_assert_not_null(v, "%s missing", key);
    return v;
}

Test(snapshot, local_identity)
{
    local_identity li;
    memset(&li, 0, sizeof li);
    li.id = 42;
    li.domain_id = 7;
    str_copy(li.ipp, sizeof li.ipp, "IPP\"1\\");
    str_copy(li.traits.birth_name, sizeof li.traits.birth_name, "D\xc3\x89SIR\xc3\x89");
    str_copy(li.traits.first_forename, sizeof li.traits.first_forename, "ANNE");
    str_copy(li.traits.forenames, sizeof li.traits.forenames, "ANNE MARIE");
    str_copy(li.traits.birth_date, sizeof li.traits.birth_date, "1980-02-03");
    li.traits.sex = 'F';
    str_copy(li.contact.city, sizeof li.contact.city, "LYON\tCEDEX");
    str_copy(li.ins, sizeof li.ins, "280029912345678");
    li.attributes = RNIV_ATTR_DOUBTFUL | RNIV_ATTR_HOMONYM;
    li.insi_verified = 1;
    li.status = RNIV_VALI;
    json_t *o = assert_canonical(snapshot_local(&li));
    cr_assert_eq(json_integer_value(json_object_get(o, "id")), 42);
    cr_assert_eq(json_integer_value(json_object_get(o, "domain_id")), 7);
    cr_assert_str_eq(str(o, "ipp"), "IPP\"1\\");
    json_t *t = json_object_get(o, "traits");
    cr_assert_str_eq(str(t, "birth_name"), "D\xc3\x89SIR\xc3\x89");
    cr_assert_str_eq(str(t, "sex"), "F");
    cr_assert_str_eq(str(json_object_get(o, "contact"), "city"), "LYON\tCEDEX");
    cr_assert_eq(json_array_size(json_object_get(o, "attributes")), 2);
    cr_assert(json_is_true(json_object_get(o, "insi_verified")));
    cr_assert_eq(json_object_size(o), 12);
    cr_assert_eq(json_object_size(t), 8);
    json_decref(o);
}

Test(snapshot, ght_link_structure)
{
    ght_identity g = { .id = 3, .state = GHT_MERGED, .merged_into = 9 };
    json_t *o = assert_canonical(snapshot_ght(&g));
    cr_assert_str_eq(str(o, "state"), "merged");
    cr_assert_eq(json_integer_value(json_object_get(o, "merged_into")), 9);
    json_decref(o);

    identity_link l;
    memset(&l, 0, sizeof l);
    l.id = 1;
    l.local_id = 2;
    l.ght_id = 3;
    l.method = LINK_MANUAL;
    str_copy(l.reason, sizeof l.reason, "same \"INS\"");
    o = assert_canonical(snapshot_link(&l));
    cr_assert_str_eq(str(o, "method"), "MANUAL");
    cr_assert_str_eq(str(o, "reason"), "same \"INS\"");
    cr_assert_eq(json_object_size(o), 7);
    json_decref(o);

    structure_node n;
    memset(&n, 0, sizeof n);
    n.id = 5;
    str_copy(n.code, sizeof n.code, "UF1");
    str_copy(n.label, sizeof n.label, "Cardiologie \xc3\xa9");
    o = assert_canonical(snapshot_structure(&n));
    cr_assert_str_eq(str(o, "label"), "Cardiologie \xc3\xa9");
    cr_assert_eq(json_object_size(o), 9);
    json_decref(o);
}

Test(snapshot, stay_and_movement)
{
    stay_record s;
    memset(&s, 0, sizeof s);
    s.id = 11;
    str_copy(s.visit_number, sizeof s.visit_number, "V1");
    str_copy(s.location.uf, sizeof s.location.uf, "UF\\2");
    s.location.bed_id = 8;
    s.on_leave = 1;
    json_t *o = assert_canonical(snapshot_stay(&s));
    cr_assert_str_eq(str(json_object_get(o, "location"), "uf"), "UF\\2");
    cr_assert_eq(json_object_size(o), 13);
    cr_assert_eq(json_object_size(json_object_get(o, "location")), 6);
    json_decref(o);

    movement m;
    memset(&m, 0, sizeof m);
    m.id = 12;
    m.stay_id = 11;
    m.cancels = 4;
    str_copy(m.movement_id, sizeof m.movement_id, "MVT\n1");
    o = assert_canonical(snapshot_movement(&m));
    cr_assert_str_eq(str(o, "movement_id"), "MVT\n1");
    cr_assert_str_eq(str(o, "action"), "INSERT");
    cr_assert_eq(json_object_size(o), 16);
    json_decref(o);
}
