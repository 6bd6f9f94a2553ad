/*
 * fuzz_fhir_patient.c - libFuzzer target for the FHIR Patient reader
 * (fhir/patient_parse.h): any bytes are read into identity input whose
 * text fields are C strings within their sizes, or refused with an
 * issue code and a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fhir/patient_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok)
        abort();
}

static int bounded(const char *s, size_t n)
{
    return memchr(s, '\0', n) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    fhir_patient_in pin;
    fhir_search_error e;
    if (fhir_patient_parse((const char *)data, size, &pin, &e) != 0) {
        check(e.code != NULL && bounded(e.msg, sizeof e.msg) && e.msg[0] != '\0');
        return 0;
    }
    const identity_traits *t = &pin.in.traits;
    check(bounded(t->birth_name, sizeof t->birth_name));
    check(bounded(t->forenames, sizeof t->forenames));
    check(bounded(t->first_forename, sizeof t->first_forename));
    check(bounded(t->birth_date, sizeof t->birth_date));
    check(bounded(t->birth_place, sizeof t->birth_place));
    check(bounded(pin.in.ins, sizeof pin.in.ins));
    check(bounded(pin.in.proof_type, sizeof pin.in.proof_type));
    check(t->sex == 'M' || t->sex == 'F' || t->sex == 'U');
    check(pin.n_pi <= FHIR_PATIENT_PI_MAX);
    for (size_t i = 0; i < pin.n_pi; i++)
        check(bounded(pin.pi[i].oid, sizeof pin.pi[i].oid)
              && bounded(pin.pi[i].value, sizeof pin.pi[i].value));
    /* The expression lookup takes any message. */
    fhir_patient_expression(t->birth_name);
    return 0;
}
