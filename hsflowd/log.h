/* log.h - logging to stderr (foreground), the journal (its stream) or syslog; errno helpers. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <syslog.h>

enum hsp_log_target { HSP_LOG_STDERR, HSP_LOG_JOURNAL, HSP_LOG_SYSLOG };

/* Where logs go and the highest priority shown (LOG_INFO by default, LOG_DEBUG with -dd). */
void log_setup(enum hsp_log_target target, int max_priority);
int log_get_max_priority(void);
/* True when stderr is the journal's stream (the service runs under systemd): HSP_LOG_JOURNAL. */
bool log_stderr_is_journal(void);

/* Log at priority; if error is non-zero, %m in format means strerror(-error or error).
 * Returns -abs(error) so callers can "return log_error_errno(r, ...)". */
int log_internal(int priority, int error, const char *file, int line, const char *func,
                 const char *format, ...) __attribute__((format(printf, 6, 7)));

#define log_full_errno(prio, err, ...)                                                             \
        log_internal((prio), (err), __FILE__, __LINE__, __func__, __VA_ARGS__)
#define log_debug(...) log_full_errno(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...) log_full_errno(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...) log_full_errno(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) log_full_errno(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...) log_full_errno(LOG_ERR, 0, __VA_ARGS__)
#define log_debug_errno(e, ...) log_full_errno(LOG_DEBUG, (e), __VA_ARGS__)
#define log_info_errno(e, ...) log_full_errno(LOG_INFO, (e), __VA_ARGS__)
#define log_warning_errno(e, ...) log_full_errno(LOG_WARNING, (e), __VA_ARGS__)
#define log_error_errno(e, ...) log_full_errno(LOG_ERR, (e), __VA_ARGS__)
