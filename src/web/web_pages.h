/*
 * web_pages.h - the page handlers of the workbench (one file each, see
 * web.h for their contract) and what the framework lends them beyond
 * web.h. Private to src/web/.
 */
#ifndef SOCLE_WEB_PAGES_H
#define SOCLE_WEB_PAGES_H

#include <stdint.h>

#include "web/web.h"

/* page_login.c */
int web_page_home(web_ctx *c);
int web_page_login(web_ctx *c);
int web_page_login_post(web_ctx *c);
int web_page_logout(web_ctx *c);

/* page_search.c */
int web_page_search(web_ctx *c);

/* page_patient.c, page_patient_actions.c */
int web_page_patient(web_ctx *c);
int web_page_patient_unmerge(web_ctx *c);
int web_page_patient_proof(web_ctx *c);
int web_page_patient_attribute(web_ctx *c);
/* The GHT id of the page's path ("/patient/{id}"), 0 when malformed. */
int64_t web_patient_id(const web_ctx *c);

/* page_dashboard.c, page_structures.c, page_journal.c */
int web_page_dashboard(web_ctx *c);
int web_page_structures(web_ctx *c);
int web_page_journal(web_ctx *c);
int web_page_journal_verify(web_ctx *c);
int web_page_journal_csv(web_ctx *c);

/* web.c: the session cookie (token NULL: clear it), and the login form's
 * pre-session CSRF token into c->csrf (setting its cookie when needed). */
void web_set_session_cookie(web_ctx *c, const char *token);
int web_prepare_login_csrf(web_ctx *c);

#endif
