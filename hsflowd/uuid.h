/* uuid.h - the agent's UUID: -u, the configuration, DMI, else derived from the machine-id. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Parse "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (dashes optional). Returns 0 or -EINVAL. */
int uuid_parse(const char *s, uint8_t ret[16]);
void uuid_format(const uint8_t u[16], char buf[37]);

/* Derive a stable UUID from a 32-hex-digit machine-id without exposing it: HMAC-SHA256 keyed
 * with the machine-id over hsflowd's application id, version 4 / RFC 4122 variant bits set, as
 * systemd's sd_id128_get_machine_app_specific() does. Returns 0, -EINVAL or -EIO. */
int uuid_from_machine_id(const char *machine_id, uint8_t ret[16]);

/* The whole choice: option (-u), then config (uuid=), then the DMI product UUID (file dmi_path,
 * ignored when unreadable, all zeros or all ones), then machine_id (-m) or the contents of
 * machine_id_path. Writes which source was used to *source. Returns 0 or -ENOENT. */
int uuid_choose(const char *option, const char *config, const char *dmi_path,
                const char *machine_id, const char *machine_id_path, uint8_t ret[16],
                const char **source);

/* A name-based (version 5, SHA-1) UUID of name in namespace ns (RFC 4122 section 4.3): the
 * same name and namespace always give the same UUID. Returns 0 or -EIO. */
int uuid_v5(const uint8_t ns[16], const char *name, size_t len, uint8_t ret[16]);
