/* uuid.h - the agent's UUID: -u, the configuration, DMI, else derived from the machine-id. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Parse "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (dashes optional). Returns 0 or -EINVAL. */
int uuid_parse(const char *s, uint8_t ret[16]);
void uuid_format(const uint8_t u[16], char buf[37]);

/* Derive a stable UUID (version 4 / RFC 4122 variant bits set) from a 32-hex-digit
 * machine-id without exposing it. Returns 0 or -EINVAL. */
int uuid_from_machine_id(const char *machine_id, uint8_t ret[16]);

/* The whole choice: option (-u), then config (uuid=), then the DMI product UUID (file dmi_path,
 * ignored when unreadable, all zeros or all ones), then machine_id (-m) or the contents of
 * machine_id_path. Writes which source was used to *source. Returns 0 or -ENOENT. */
int uuid_choose(const char *option, const char *config, const char *dmi_path,
                const char *machine_id, const char *machine_id_path, uint8_t ret[16],
                const char **source);
