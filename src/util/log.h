/*
 * log.h - operational log lines on stderr.
 *
 * One line per event: "2026-11-23T10:09:00.123Z level message". Only the
 * server and the command line log; library code returns errors instead.
 */
#ifndef SOCLE_UTIL_LOG_H
#define SOCLE_UTIL_LOG_H

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
