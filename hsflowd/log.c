/* log.c - logging to stderr (foreground), the journal (stderr as its stream) or syslog. */
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

static enum hsp_log_target log_target = HSP_LOG_STDERR;
static int log_max_priority = LOG_INFO;

void log_setup(enum hsp_log_target target, int max_priority) {
        log_target = target;
        log_max_priority = max_priority;
        if (target == HSP_LOG_SYSLOG)
                openlog("hsflowd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

/* Is stderr the service manager's journal stream? $JOURNAL_STREAM names its device and inode
 * (systemd.exec(5)); a child that inherited the variable but not the descriptor does not match. */
bool log_stderr_is_journal(void) {
        const char *v = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;
        if (!v || sscanf(v, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st) < 0)
                return false;
        return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

int log_get_max_priority(void) {
        return log_max_priority;
}

static const char *prio_name(int prio) {
        static const char *const names[] = {"emerg",   "alert",  "crit", "error",
                                            "warning", "notice", "info", "debug"};
        return names[prio & 7];
}

int log_internal(int priority, int error, const char *file, int line, const char *func,
                 const char *format, ...) {
        (void)file; /* where a message comes from: for a target with fields */
        (void)line;
        (void)func;
        int saved = errno;
        int e = error < 0 ? -error : error;
        if (priority > log_max_priority)
                return -e;

        char msg[2048];
        va_list ap;
        errno = e; /* so %m expands to the error given */
        va_start(ap, format);
        vsnprintf(msg, sizeof msg, format, ap);
        va_end(ap);

        switch (log_target) {
        case HSP_LOG_STDERR: {
                struct timespec ts;
                struct tm tm;
                clock_gettime(CLOCK_REALTIME, &ts);
                localtime_r(&ts.tv_sec, &tm);
                fprintf(stderr, "%02d:%02d:%02d.%03ld hsflowd %s: %s\n", tm.tm_hour, tm.tm_min,
                        tm.tm_sec, ts.tv_nsec / 1000000, prio_name(priority), msg);
                break;
        }
        case HSP_LOG_JOURNAL: {
                /* one line per message, its priority as the "<N>" prefix the journal reads from
                 * a stream (sd-daemon(3)); errno as text, since a stream carries no fields */
                char line[sizeof msg + 64];
                for (char *c = msg; *c; c++)
                        if (*c == '\n')
                                *c = ' ';
                int n = e ? snprintf(line, sizeof line, "<%d>%s (errno %d)\n", priority & 7, msg, e)
                          : snprintf(line, sizeof line, "<%d>%s\n", priority & 7, msg);
                if (n > (int)sizeof line - 1)
                        n = (int)sizeof line - 1;
                (void)!write(STDERR_FILENO, line, (size_t)n);
                break;
        }
        case HSP_LOG_SYSLOG:
                syslog(priority, "%s", msg);
                break;
        }
        errno = saved;
        return -e;
}
