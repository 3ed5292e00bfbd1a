/* autofile.h - the effective settings in /etc/hsflowd.auto, replaced atomically. */
#pragma once

#include <stdbool.h>

#define HSP_DEFAULT_AUTO_PATH "/etc/hsflowd.auto"

/* Write text to path: a temporary file in the same directory, flushed to disk, renamed over
 * path. Returns 0 or negative errno (path is then unchanged). */
int autofile_write(const char *path, const char *text);
/* Can user write files in path's directory (so that the file is kept up to date after root is
 * given up)? */
bool autofile_writable_by(const char *path, const char *user);
