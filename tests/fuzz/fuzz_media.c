/* SPDX-License-Identifier: MIT */
/*
 * fuzz_media — libFuzzer harness for media_probe() on whole images and
 * videos in memory (JPEG, PNG, WebP, EXIF, ISO-BMFF boxes).
 */
#include <stdint.h>
#include <stdlib.h>

#include "casefile/media.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
ignore(void *cookie, int bad, const char *msg)
{
	(void)cookie;
	(void)bad;
	if (msg == NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct media_info mi;

	if (media_probe(data, size, size, -1, 1 << 24, &mi, ignore, NULL, NULL) < 0)
		abort();
	if (mi.orientation < 0 || mi.orientation > 8)
		abort();
	media_read_exif(data, size, &mi, ignore, NULL);
	return 0;
}
