/*
 * page_login.c - Accueil, Connexion, Déconnexion.
 *
 * The password is checked outside the store (argon2id takes tens of
 * milliseconds and 64 MiB): one transaction looks the account up, the hash
 * is checked, a second transaction records the outcome (lock-out counting)
 * and opens the session.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "web/web_pages.h"

int web_page_home(web_ctx *c)
{
    web_page_begin(c, "Accueil", "accueil");
    web_puts(c, "<p>Bienvenue dans l'atelier d'identitovigilance du GHT.</p>\n<ul class=\"home\">");
    if (web_can(c, RIGHT_PATIENT_READ))
        web_puts(c, "<li><a href=\"/recherche\">Rechercher un patient</a> par ses traits "
                    "(recherche phonétique possible), son INS, un IPP ou un NDA.</li>");
    if (!web_can(c, RIGHT_PATIENT_READ))
        web_puts(c, "<li>Votre rôle ne donne pas accès aux données des patients.</li>");
    web_puts(c, "</ul>");
    web_page_end(c);
    return 0;
}

/* Where to go after login: a local path given by the login link. */
static const char *next_path(const web_ctx *c)
{
    const char *s = web_param(c, "suite");
    if (s == NULL || s[0] != '/' || s[1] == '/' || s[1] == '\\' || strlen(s) > 400
        || strncmp(s, "/connexion", 10) == 0)
        return "/";
    return s;
}

static void login_form(web_ctx *c, const char *error, const char *login)
{
    web_page_begin(c, "Connexion", NULL);
    web_puts(c, "<div class=\"login panel\">");
    if (error) {
        web_puts(c, "<p class=\"error-message\" id=\"erreur\">");
        web_text(c, error);
        web_puts(c, "</p>");
    }
    web_puts(c, "<form method=\"post\" action=\"/connexion\">");
    web_csrf_field(c);
    web_puts(c, "<input type=\"hidden\" name=\"suite\" value=\"");
    web_text(c, next_path(c));
    web_puts(c, "\"><div><label for=\"login\">Identifiant</label>"
                "<input type=\"text\" id=\"login\" name=\"login\" autocomplete=\"username\" "
                "required autofocus value=\"");
    web_text(c, login ? login : "");
    web_puts(c, "\"></div><div><label for=\"password\">Mot de passe</label>"
                "<input type=\"password\" id=\"password\" name=\"password\" "
                "autocomplete=\"current-password\" required></div>"
                "<button type=\"submit\">Se connecter</button></form>"
                "<p class=\"meta\">Après 5 échecs, le compte est verrouillé 15 minutes.</p>"
                "</div>");
    web_page_end(c);
}

int web_page_login(web_ctx *c)
{
    if (c->logged_in) {
        web_redirect(c, next_path(c));
        return 0;
    }
    if (web_prepare_login_csrf(c) != 0)
        return -1;
    login_form(c, NULL, NULL);
    return 0;
}

typedef struct login_args {
    const char *login;
    int64_t now;
    user_account account;
    user_login_state state;
    int password_ok;
    user_auth_outcome outcome;
    char token[USER_TOKEN_MAX];
    char csrf[USER_TOKEN_MAX];
} login_args;

static int lookup_fn(store *st, web_ctx *c, void *arg)
{
    login_args *a = arg;
    return user_login_lookup_in_tx(st, a->login, a->now, &a->account, &a->state, &c->err);
}

static int finish_fn(store *st, web_ctx *c, void *arg)
{
    login_args *a = arg;
    if (user_login_finish_in_tx(st, &a->account, a->password_ok, a->now, &a->outcome,
                                &c->err) != 0)
        return -1;
    if (a->outcome != USER_AUTH_OK)
        return 0;
    return user_session_create_in_tx(st, &a->account, a->now, a->token, a->csrf, &c->err);
}

int web_page_login_post(web_ctx *c)
{
    const char *login = web_param(c, "login");
    const char *password = web_param(c, "password");
    if (web_prepare_login_csrf(c) != 0)
        return -1;
    if (login == NULL || password == NULL || login[0] == '\0' || password[0] == '\0') {
        web_status(c, 400);
        login_form(c, "Saisissez votre identifiant et votre mot de passe.", login);
        return 0;
    }
    login_args a;
    memset(&a, 0, sizeof a);
    a.login = login;
    a.now = (int64_t)time(NULL);
    if (strlen(login) >= STORE_USER_LOGIN_MAX || strlen(password) > USER_PASSWORD_MAX) {
        a.state = USER_LOGIN_UNKNOWN;
    } else if (web_tx(c, lookup_fn, &a) != 0) {
        return -1;
    }
    if (a.state == USER_LOGIN_CHECK) {
        a.password_ok = user_password_verify(a.account.password_hash, password);
        if (web_tx(c, finish_fn, &a) != 0)
            return -1;
        if (a.outcome == USER_AUTH_OK) {
            web_set_session_cookie(c, a.token);
            web_redirect(c, next_path(c));
            return 0;
        }
    }
    const char *msg = "Identifiant ou mot de passe incorrect.";
    if (a.state == USER_LOGIN_LOCKED
        || (a.state == USER_LOGIN_CHECK && a.outcome == USER_AUTH_LOCKED))
        msg = "Compte verrouillé après 5 échecs de connexion : réessayez dans 15 minutes "
              "ou demandez à un administrateur.";
    else if (a.state == USER_LOGIN_INACTIVE)
        msg = "Ce compte est désactivé.";
    web_status(c, 401);
    login_form(c, msg, login);
    return 0;
}

static int logout_fn(store *st, web_ctx *c, void *arg)
{
    (void)arg;
    return user_session_end_in_tx(st, &c->actor, c->session_token, &c->err);
}

int web_page_logout(web_ctx *c)
{
    if (web_tx(c, logout_fn, NULL) != 0)
        return -1;
    web_set_session_cookie(c, NULL);
    web_redirect(c, "/connexion");
    return 0;
}
