/*
 * fuzz_fhir_xml.c - libFuzzer target for the FHIR XML reader
 * (fhir/fhir_xml.h): any bytes give a JSON object with a resourceType
 * that serialises, or NULL with a non-empty message within its buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fhir/fhir_xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    char err[256];
    memset(err, 'x', sizeof err);
    json_t *j = fhir_xml_to_json((const char *)data, size, err, sizeof err);
    if (j == NULL) {
        check(memchr(err, '\0', sizeof err) != NULL && err[0] != '\0');
        return 0;
    }
    check(json_is_object(j) && json_is_string(json_object_get(j, "resourceType")));
    char *text = json_dumps(j, JSON_COMPACT);
    check(text != NULL);
    free(text);
    json_decref(j);
    return 0;
}
