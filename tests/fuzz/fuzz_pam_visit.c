/*
 * fuzz_pam_visit.c - libFuzzer target for the PV1/ZBE mapping of the
 * ITI-31 events (hl7/pam_visit_map.h) on arbitrary ER7 input.
 *
 * Every input that parses is mapped as each of a few triggers; a mapping
 * that succeeds must hold what core/stay.h requires (a visit number, a
 * movement id, a well-formed date, a known action), and every issue must
 * be located and worded.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hl7/er7.h"
#include "hl7/pam_visit_map.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    socle_err err;
    er7_message *m = er7_parse((const char *)data, size, &err);
    if (m == NULL)
        return 0;
    size_t pid = er7_find(m, "PID", 0);
    if (pid == ER7_NONE)
        pid = 0;
    static const char *const triggers[] = {"A01", "A12", "Z99", "A21"};
    for (size_t t = 0; t < sizeof triggers / sizeof triggers[0]; t++) {
        pam_visit v;
        pam_issues issues;
        int rc = pam_visit_map(m, triggers[t], pid, &v, &issues);
        check(rc == 0 || rc == -1);
        check(issues.count <= PAM_ISSUES_MAX);
        size_t errors = 0;
        for (size_t i = 0; i < issues.count; i++) {
            check(issues.items[i].text[0] != '\0');
            check(issues.items[i].where.seg_id[0] != '\0');
            errors += issues.items[i].severity == PAM_ISSUE_ERROR;
        }
        if (rc == 0) {
            check(errors == 0);
            check(v.visit_number[0] != '\0' && v.mv.movement_id[0] != '\0');
            check(strlen(v.mv.effective_at) == 19 && v.mv.effective_at[10] == 'T');
            check((unsigned)v.mv.action <= MOVEMENT_CANCEL);
            check(strcmp(v.mv.trigger, triggers[t]) == 0);
            check(v.mv.action == MOVEMENT_INSERT || v.mv.original_trigger[0] != '\0');
        } else {
            check(errors > 0 || issues.dropped > 0);
        }
    }
    er7_free(m);
    return 0;
}
