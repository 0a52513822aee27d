/* SPDX-License-Identifier: MIT */
/*
 * mkarchive — write archives with entries a normal archiver refuses to make
 * (absolute and ../ paths, links, devices, FIFOs, bad names, zero bombs),
 * for the bundle import tests.
 *
 *   mkarchive OUT FORMAT SPEC...
 *   FORMAT: tar tar.gz tar.bz2 tar.xz tar.zst zip 7z
 *   SPEC:   f:PATH=TEXT     regular file holding TEXT
 *           F:PATH=FILE     regular file with the bytes of FILE
 *           z:PATH=SIZE     SIZE zero bytes (K/M/G suffixes), streamed
 *           l:PATH=TARGET   symbolic link        h:PATH=TARGET  hard link
 *           c:PATH b:PATH   character / block device
 *           p:PATH          FIFO                 d:PATH         folder
 *   PATH and TEXT may contain \xNN escapes (raw bytes) and \n.  Raw bytes
 *   in a zip PATH are written as they are, without the UTF-8 flag, as
 *   Chinese Windows writes GBK names (t6601 checks the flag).
 */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void
die(struct archive *a, const char *what)
{
	fprintf(stderr, "mkarchive: %s: %s\n", what, a ? archive_error_string(a) : "");
	exit(1);
}

static char *
unescape(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	while (*s) {
		if (s[0] == '\\' && s[1] == 'x' && s[2] && s[3]) {
			char h[3] = { s[2], s[3], 0 };

			*o++ = (char)strtol(h, NULL, 16);
			s += 4;
		} else if (s[0] == '\\' && s[1] == 'n') {
			*o++ = '\n';
			s += 2;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

static long long
parse_size(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	switch (*end) {
	case 'K': return v << 10;
	case 'M': return v << 20;
	case 'G': return v << 30;
	default: return v;
	}
}

int
main(int argc, char **argv)
{
	struct archive *a;
	const char *fmt;
	int i;
	static char zero[65536];

	if (argc < 3) {
		fprintf(stderr, "usage: mkarchive OUT FORMAT SPEC...\n");
		return 2;
	}
	fmt = argv[2];
	a = archive_write_new();
	if (!strncmp(fmt, "tar", 3))
		archive_write_set_format_pax_restricted(a);
	else if (!strcmp(fmt, "zip"))
		archive_write_set_format_zip(a);
	else if (!strcmp(fmt, "7z"))
		archive_write_set_format_7zip(a);
	else
		die(NULL, "unknown format");
	if (!strcmp(fmt, "tar.gz"))
		archive_write_add_filter_gzip(a);
	else if (!strcmp(fmt, "tar.bz2"))
		archive_write_add_filter_bzip2(a);
	else if (!strcmp(fmt, "tar.xz"))
		archive_write_add_filter_xz(a);
	else if (!strcmp(fmt, "tar.zst"))
		archive_write_add_filter_zstd(a);
	if (archive_write_open_filename(a, argv[1]) != ARCHIVE_OK)
		die(a, "open");
	for (i = 3; i < argc; i++) {
		char *spec = unescape(argv[i]);
		char t = spec[0], *path = spec + 2, *val = strchr(path, '=');
		struct archive_entry *e = archive_entry_new();
		long long size = 0;
		char *data = NULL;
		size_t dlen = 0;

		if (spec[1] != ':')
			die(NULL, "bad spec");
		if (val)
			*val++ = '\0';
		archive_entry_copy_pathname(e, path);
		archive_entry_set_mtime(e, 1746150000, 0);
		archive_entry_set_perm(e, 0644);
		switch (t) {
		case 'f':
			data = val ? val : "";
			dlen = strlen(data);
			size = (long long)dlen;
			archive_entry_set_filetype(e, AE_IFREG);
			break;
		case 'F': {
			FILE *f = fopen(val, "rb");
			size_t cap = 0, n;

			if (!f)
				die(NULL, val);
			for (;;) {
				if (dlen + 65536 > cap)
					data = realloc(data, cap = cap * 2 + 65536);
				n = fread(data + dlen, 1, 65536, f);
				if (n == 0)
					break;
				dlen += n;
			}
			fclose(f);
			size = (long long)dlen;
			archive_entry_set_filetype(e, AE_IFREG);
			break;
		}
		case 'z':
			size = parse_size(val);
			archive_entry_set_filetype(e, AE_IFREG);
			break;
		case 'l':
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_copy_symlink(e, val);
			break;
		case 'h':
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_copy_hardlink(e, val);
			break;
		case 'c':
			archive_entry_set_filetype(e, AE_IFCHR);
			archive_entry_set_rdev(e, 0x0103);
			break;
		case 'b':
			archive_entry_set_filetype(e, AE_IFBLK);
			archive_entry_set_rdev(e, 0x0800);
			break;
		case 'p':
			archive_entry_set_filetype(e, AE_IFIFO);
			break;
		case 'd':
			archive_entry_set_filetype(e, AE_IFDIR);
			archive_entry_set_perm(e, 0755);
			break;
		default:
			die(NULL, "bad spec type");
		}
		archive_entry_set_size(e, size);
		if (archive_write_header(a, e) < ARCHIVE_WARN)
			die(a, "header");
		if (t == 'z') {
			long long left = size;

			while (left > 0) {
				size_t n = left > (long long)sizeof(zero) ? sizeof(zero) : (size_t)left;

				if (archive_write_data(a, zero, n) < 0)
					die(a, "data");
				left -= (long long)n;
			}
		} else if (dlen && archive_write_data(a, data, dlen) < 0) {
			die(a, "data");
		}
		if (t == 'F')
			free(data);
		archive_entry_free(e);
		free(spec);
	}
	if (archive_write_close(a) != ARCHIVE_OK)
		die(a, "close");
	archive_write_free(a);
	return 0;
}
