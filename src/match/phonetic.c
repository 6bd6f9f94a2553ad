/*
 * phonetic.c - Soundex2, see phonetic.h for the steps and the choice.
 */
#include "match/phonetic.h"

#include <string.h>

#define WORK 64

static int is_vowel(char c)
{
    return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U';
}

/* Replace, at position i of s (length *n), the pattern of length plen by
 * rep of the same or shorter length. */
static void replace_at(char *s, size_t *n, size_t i, size_t plen, const char *rep)
{
    size_t rlen = strlen(rep);
    memcpy(s + i, rep, rlen);
    memmove(s + i + rlen, s + i + plen, *n - i - plen + 1);
    *n -= plen - rlen;
}

static int starts(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

size_t phonetic_encode(const char *name, char *out, size_t cap)
{
    char s[WORK];
    size_t n = 0;
    for (const char *p = name; *p != '\0' && n < WORK - 1; p++)
        if (*p >= 'A' && *p <= 'Z')
            s[n++] = *p;
    s[n] = '\0';
    if (cap > 0)
        out[0] = '\0';
    if (n == 0 || cap == 0)
        return 0;

    /* 1. primary groups, left to right, longest first */
    static const char *const groups[][2] = {
        {"GUI", "KI"}, {"GUE", "KE"}, {"GA", "KA"}, {"GO", "KO"}, {"GU", "K"},
        {"CA", "KA"}, {"CO", "KO"}, {"CU", "KU"}, {"Q", "K"}, {"CC", "K"},
        {"CK", "K"},
    };
    for (size_t i = 0; i < n; i++)
        for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
            if (starts(s + i, groups[g][0])) {
                replace_at(s, &n, i, strlen(groups[g][0]), groups[g][1]);
                break;
            }
    /* 2. vowels after the first letter */
    for (size_t i = 1; i < n; i++)
        if (is_vowel(s[i]))
            s[i] = 'A';
    /* 3. prefixes, then SCH and PH anywhere */
    if (starts(s, "MAC"))
        memcpy(s, "MCC", 3);
    else if (starts(s, "ASA"))
        memcpy(s, "AZA", 3);
    else if (starts(s, "KN"))
        memcpy(s, "NN", 2);
    else if (starts(s, "PF"))
        memcpy(s, "FF", 2);
    for (size_t i = 0; i < n; i++) {
        if (starts(s + i, "SCH"))
            memcpy(s + i, "SSS", 3);
        else if (starts(s + i, "PH"))
            memcpy(s + i, "FF", 2);
    }
    /* 4. silent H and Y (decided on the letter before, as it was) */
    char t[WORK];
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        char prev = i > 0 ? s[i - 1] : '\0';
        if (s[i] == 'H' && prev != 'C' && prev != 'S')
            continue;
        if (s[i] == 'Y' && prev != 'A')
            continue;
        t[m++] = s[i];
    }
    /* 5. silent final letters (the first letter always stays) */
    if (m > 1 && strchr("ADTS", t[m - 1]) != NULL)
        m--;
    /* 6, 7. drop A but the first letter; collapse repeats; keep 4 */
    size_t o = 0;
    char last = '\0';
    for (size_t i = 0; i < m && o < PHONETIC_LEN && o + 1 < cap; i++) {
        if (i > 0 && t[i] == 'A')
            continue;
        if (t[i] == last)
            continue;
        out[o++] = t[i];
        last = t[i];
    }
    out[o] = '\0';
    return o;
}
