/*
 * er7_text.h - the text inside ER7 values: escape sequences and character
 * sets, in both directions.
 *
 * Reading (er7_unescape) turns a raw slice from er7.h into UTF-8:
 *
 *   \F\ \S\ \T\ \R\ \E\   the message's field, component, subcomponent,
 *                         repetition and escape characters
 *   \P\                   the truncation character, when MSH-2 declares one
 *   \Xhhhh...\            the bytes given in hexadecimal (an even number of
 *                         digits, at least two), then decoded like the
 *                         surrounding text, in the message's character set
 *   \.br\                 line break: "\n"
 *   \.sp\ \.sp n\         vertical space: one "\n" (the count is not kept)
 *   \.ce\                 end the line and centre the next: "\n"
 *   \.sk n\               skip n columns: one space
 *   \.in n\ \.ti n\ \.fi\ \.nf\   indentation and fill mode: dropped
 *   \H\ \N\               highlighting on/off: dropped
 *
 * Refused with an error, because honouring them would need state this
 * layer does not keep and ignoring them would silently corrupt the text:
 *   \Zxx\                 locally defined escapes;
 *   \Cxxyy\ \Mxxyyzz\     switches to another character set (ISO 2022);
 *   any other escape, an empty one (\\), an unterminated one, bad hex.
 *
 * Character sets (MSH-18, first repetition): empty or "ASCII", "8859/1"
 * (Latin-1), "8859/15" (Latin-9, the French default of PAM FR, not in
 * HL7's table) and "UNICODE UTF-8", matched without regard to case. Bytes
 * that are not valid in the declared set are an error naming the byte and
 * its offset in the slice; nothing is ever replaced. In the two Latin sets
 * 0x80..0x9F are refused too: they are C1 control codes, not letters, and
 * in practice betray Windows-1252 text sent under a Latin label. A NUL
 * byte, raw or from \X00\, is refused in every set so that decoded text is
 * always a C string.
 *
 * The HL7 null `""` is not interpreted here: test it with er7_is_null
 * before unescaping.
 *
 * Writing (er7_escape) is the reverse, for a value to be put in a field:
 * the five delimiters become \F\ \S\ \T\ \R\ \E\, LF becomes \.br\, CR and
 * the other control characters become \Xhh\, and the UTF-8 text is encoded
 * in the target set. A character the set cannot represent (€ in Latin-1,
 * anything above 0x7F in ASCII) is an error, not a \X..\ fallback: the
 * receiver would decode the fallback bytes in its own set and get a
 * different character.
 */
#ifndef SOCLE_HL7_ER7_TEXT_H
#define SOCLE_HL7_ER7_TEXT_H

#include <stddef.h>

#include "hl7/er7.h"
#include "util/buf.h"
#include "util/error.h"

typedef enum er7_charset {
    ER7_ASCII = 0,   /* MSH-18 empty or "ASCII" */
    ER7_LATIN1,      /* "8859/1" */
    ER7_LATIN9,      /* "8859/15" */
    ER7_UTF8         /* "UNICODE UTF-8" */
} er7_charset;

/* Map an MSH-18 value to a charset. -1 with err for an unknown value. */
int er7_charset_parse(er7_slice value, er7_charset *cs, socle_err *err);

/* The charset declared by the message (first repetition of MSH-18). */
int er7_message_charset(const er7_message *m, er7_charset *cs,
                        socle_err *err);

/* The MSH-18 value naming cs ("ASCII", "8859/1"...). */
const char *er7_charset_name(er7_charset cs);

/*
 * Append the text of raw (escapes resolved, decoded from cs) to out as
 * UTF-8. On error returns -1 with err naming the offset in raw, and out is
 * left as it was.
 */
int er7_unescape(const er7_delims *d, er7_charset cs, er7_slice raw,
                 buf *out, socle_err *err);

/*
 * Append the UTF-8 text s[0..len) to out, escaped with d and encoded in
 * cs, ready to be a field, component or subcomponent value. On error
 * (invalid UTF-8, NUL, a character cs cannot represent) returns -1 with
 * err naming the offset in s, and out is left as it was.
 */
int er7_escape(const er7_delims *d, er7_charset cs, const char *s,
               size_t len, buf *out, socle_err *err);

#endif
