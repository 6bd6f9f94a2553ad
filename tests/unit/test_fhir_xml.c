/*
 * test_fhir_xml.c - FHIR XML read into FHIR JSON (fhir/fhir_xml.h): the
 * repeating elements of the table become arrays, primitives take their
 * value (booleans and integers by name), ids, urls, primitive extensions,
 * nested resources and the narrative; and what is refused.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "fhir/fhir_xml.h"

static json_t *read_xml(const char *xml, char *err, size_t n)
{
    return fhir_xml_to_json(xml, strlen(xml), err, n);
}

Test(fhir_xml, patient_to_json)
{
    char err[256];
    json_t *p = read_xml(
        "<?xml version=\"1.0\"?><Patient xmlns=\"http://hl7.org/fhir\"><id value=\"7\"/>"
        "<meta><profile value=\"urn:p\"/></meta>"
        "<text><status value=\"generated\"/><div xmlns=\"http://www.w3.org/1999/xhtml\">"
        "<p>TESTXML</p></div></text>"
        "<extension url=\"urn:ext\"><valueInteger value=\"3\"/></extension>"
        "<identifier><system value=\"urn:oid:1.2.3\"/><value value=\"A\"/></identifier>"
        "<identifier><system value=\"urn:oid:1.2.4\"/><value value=\"B\"/></identifier>"
        "<active value=\"false\"/><name id=\"n1\"><use value=\"official\"/>"
        "<family value=\"TESTXML\"/><given value=\"ANNE\"/><given value=\"MARIE\"/></name>"
        "<birthDate value=\"1990-03-04\"><extension url=\"urn:x\"><valueBoolean value=\"true\"/>"
        "</extension></birthDate><link><other><reference value=\"Patient/2\"/></other>"
        "<type value=\"replaced-by\"/></link></Patient>", err, sizeof err);
    cr_assert_not_null(p, "%s", err);
    char *s = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
    cr_assert_str_eq(s,
        "{\"_birthDate\":{\"extension\":[{\"url\":\"urn:x\",\"valueBoolean\":true}]},"
        "\"active\":false,\"birthDate\":\"1990-03-04\","
        "\"extension\":[{\"url\":\"urn:ext\",\"valueInteger\":3}],\"id\":\"7\","
        "\"identifier\":[{\"system\":\"urn:oid:1.2.3\",\"value\":\"A\"},"
        "{\"system\":\"urn:oid:1.2.4\",\"value\":\"B\"}],"
        "\"link\":[{\"other\":{\"reference\":\"Patient/2\"},\"type\":\"replaced-by\"}],"
        "\"meta\":{\"profile\":[\"urn:p\"]},"
        "\"name\":[{\"family\":\"TESTXML\",\"given\":[\"ANNE\",\"MARIE\"],\"id\":\"n1\","
        "\"use\":\"official\"}],\"resourceType\":\"Patient\","
        "\"text\":{\"div\":\"<div xmlns=\\\"http://www.w3.org/1999/xhtml\\\"><p>TESTXML</p>"
        "</div>\",\"status\":\"generated\"}}");
    free(s);
    json_decref(p);
}

Test(fhir_xml, nested_resources_and_context)
{
    char err[256];
    /* Bundle.entry repeats; a Reference's identifier does not; the resource
     * inside an entry gets its resourceType. */
    json_t *b = read_xml(
        "<Bundle xmlns=\"http://hl7.org/fhir\"><type value=\"message\"/><total value=\"2\"/>"
        "<entry><resource><MessageHeader><eventUri value=\"urn:e\"/><focus><reference "
        "value=\"urn:f\"/></focus><destination><receiver><identifier><value value=\"r\"/>"
        "</identifier></receiver></destination></MessageHeader></resource></entry>"
        "<entry><resource><Patient><active value=\"true\"/></Patient></resource></entry>"
        "</Bundle>", err, sizeof err);
    cr_assert_not_null(b, "%s", err);
    json_t *entries = json_object_get(b, "entry");
    cr_assert_eq(json_array_size(entries), 2);
    cr_assert_eq(json_integer_value(json_object_get(b, "total")), 2);
    json_t *h = json_object_get(json_array_get(entries, 0), "resource");
    cr_assert_str_eq(json_string_value(json_object_get(h, "resourceType")), "MessageHeader");
    cr_assert(json_is_array(json_object_get(h, "focus")));
    json_t *recv = json_object_get(json_array_get(json_object_get(h, "destination"), 0),
                                   "receiver");
    cr_assert(json_is_object(json_object_get(recv, "identifier")));
    json_t *p = json_object_get(json_array_get(entries, 1), "resource");
    cr_assert(json_is_true(json_object_get(p, "active")));
    json_decref(b);
}

Test(fhir_xml, refusals)
{
    static const struct { const char *xml, *why; } bad[] = {
        { "<Patient xmlns=\"http://hl7.org/fhir\">", "well-formed" },
        { "", "well-formed" },
        { "<Patient/>", "namespace" },
        { "<Patient xmlns=\"http://hl7.org/fhir\"><x:y xmlns:x=\"urn:x\"/></Patient>",
          "namespace" },
        { "<!DOCTYPE Patient [<!ENTITY e \"boom\">]><Patient xmlns=\"http://hl7.org/fhir\">"
          "<gender value=\"&e;\"/></Patient>", "DTD" },
        { "<Patient xmlns=\"http://hl7.org/fhir\"><gender value=\"male\"/>"
          "<gender value=\"female\"/></Patient>", "repeats" },
        { "<Patient xmlns=\"http://hl7.org/fhir\"><active value=\"yes\"/></Patient>",
          "true or false" },
        { "<Bundle xmlns=\"http://hl7.org/fhir\"><entry><resource/></entry></Bundle>",
          "no resource" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[256] = "";
        json_t *j = read_xml(bad[i].xml, err, sizeof err);
        cr_assert_null(j, "%zu accepted", i);
        cr_assert(strstr(err, bad[i].why) != NULL, "%zu: %s", i, err);
        cr_assert(strchr(err, '\n') == NULL);
    }
    /* Too deep. */
    char deep[4096] = "<Patient xmlns=\"http://hl7.org/fhir\">";
    for (int i = 0; i < 80; i++)
        strcat(deep, "<a>");
    for (int i = 0; i < 80; i++)
        strcat(deep, "</a>");
    strcat(deep, "</Patient>");
    char err[256];
    cr_assert_null(read_xml(deep, err, sizeof err));
    cr_assert(strstr(err, "deeper") != NULL, "%s", err);
}
