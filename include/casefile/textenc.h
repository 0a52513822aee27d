/* SPDX-License-Identifier: MIT */
/*
 * textenc — turn the bytes of a text export into clean UTF-8.
 *
 * Merchants' tools export UTF-8 (with or without BOM), UTF-16 with a BOM
 * (Excel "Unicode text"), or GB18030/GBK (Chinese Windows).  The decoder
 * picks, in this order: a BOM (UTF-8, UTF-16LE, UTF-16BE), valid UTF-8,
 * else GB18030 through iconv(3) — unless GB18030 gives more invalid
 * sequences than UTF-8 does, in which case the text is read as UTF-8.
 *
 * Invariants of the decoded text:
 *  - it is valid UTF-8, NUL-terminated, and contains no NUL byte: every
 *    invalid sequence and every NUL becomes U+FFFD (counted), so the text is
 *    never cut short at a NUL or an odd byte;
 *  - the BOM is removed; nothing else is (line ends are kept as found).
 * The raw bytes are never changed: the vault hashes those.
 */
#ifndef CASEFILE_TEXTENC_H
#define CASEFILE_TEXTENC_H

#include <stddef.h>

enum textenc_enc {
	TEXTENC_UTF8,
	TEXTENC_UTF8_BOM,
	TEXTENC_UTF16LE,
	TEXTENC_UTF16BE,
	TEXTENC_GB18030,
};

/* "utf-8", "utf-8 (bom)", "utf-16le", "utf-16be", "gb18030" (static). */
const char *textenc_name(enum textenc_enc e);

struct textenc_info {
	enum textenc_enc enc;	/* the encoding the bytes were read as */
	size_t nbad;		/* invalid sequences replaced by U+FFFD */
	size_t nnul;		/* NUL characters replaced by U+FFFD */
};

/*
 * Decode data[0..n) to UTF-8.  Returns a malloc'd NUL-terminated string
 * (free() it; never NULL, "" for n == 0); *out_len gets its length in bytes
 * (may be NULL), *info (may be NULL) what was done.  Never fails: bad input
 * only raises the counts in *info.
 */
char *textenc_decode(const void *data, size_t n, size_t *out_len,
		     struct textenc_info *info);

/*
 * Check s[0..n) as UTF-8 (RFC 3629: no overlongs, no surrogates, nothing
 * above U+10FFFF).  Returns the number of invalid sequences (0: valid);
 * *nchars (may be NULL) gets the number of code points, each invalid
 * sequence counting as one.  NUL is valid UTF-8 here.
 */
size_t textenc_utf8_check(const void *s, size_t n, size_t *nchars);

/*
 * Length of the valid UTF-8 sequence at s[0..n): 1..4, or 0 when the bytes
 * there are not a valid sequence (then *cp is unchanged).  n must be > 0.
 */
size_t textenc_utf8_seq(const unsigned char *s, size_t n, unsigned *cp);

/*
 * The character at s[0..n) (n > 0), read the one way every module reads
 * UTF-8: a valid sequence gives its code point and length; anything else
 * is one invalid byte, U+FFFD, length 1.  Returns the bytes consumed
 * (1..4); *cp may be NULL.
 */
size_t textenc_utf8_next(const void *s, size_t n, unsigned *cp);

/* Append code point cp as UTF-8 to out (needs 4 bytes); returns bytes written. */
size_t textenc_utf8_put(char *out, unsigned cp);

/*
 * Trim blanks in place: spaces and tabs at the start, spaces, tabs, CR and
 * LF at the end (a line of a settings-like text file).  Returns the first
 * kept byte inside s.
 */
char *textenc_trim(char *s);

#endif
