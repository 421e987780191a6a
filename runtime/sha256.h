/* SHA-256 (FIPS 180-4), for the runtime pin: hardrun's dependencies have no
 * hash, and one file a create is all it needs. */
#ifndef HARDRUN_SHA256_H
#define HARDRUN_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct hr_sha256
{
  uint32_t state[8];
  uint64_t length; /* bytes so far */
  unsigned char block[64];
  size_t used; /* bytes in block */
};

void hr_sha256_init (struct hr_sha256 *ctx);
void hr_sha256_update (struct hr_sha256 *ctx, const void *data, size_t len);
/* The digest as 64 lower-case hex digits and a NUL. */
void hr_sha256_hex (struct hr_sha256 *ctx, char out[65]);

#endif
