/* SPDX-License-Identifier: MIT */
/*
 * bag — evidence of the vault as a BagIt 1.0 bag (RFC 8493), written with
 * libarchive to OUT.zip, OUT.tar.gz or a folder.
 *
 *   <bag>/bagit.txt                  version and tag encoding
 *   <bag>/data/<order>/<rel path>    the originals, streamed from objects/
 *   <bag>/manifest-sha256.txt        one line per payload file
 *   <bag>/bag-info.txt               Source-Organization, Bagging-Date,
 *                                    Payload-Oxum, casefile version, latest
 *                                    ledger checkpoint (when sealed)
 *   <bag>/casefile/evidence.json     the evidence rows (kind, times, leaf)
 *   <bag>/casefile/checkpoint.txt    latest signed checkpoint, byte-exact
 *   <bag>/casefile/checkpoint.tsr    its RFC 3161 timestamp token (DER)
 *   <bag>/casefile/proofs.json       inclusion proofs of every payload file
 *                                    (proofs.h, "casefile-proofs-1")
 *   <bag>/tagmanifest-sha256.txt     hashes of every tag file above
 *
 * In an archive the bag is the folder named after OUT without its
 * extension; for a folder OUT, OUT is the bag.  Output is written with
 * outfile.h: an archive to an unnamed file linked into place when complete
 * (a kill -9 leaves nothing), a folder under OUT.tmp-PID-N renamed into
 * place; the next export to OUT removes what a dead export left.  The
 * output can never grow past what its entries declare plus a bound, and a
 * full disk is reported with the path and the cause.
 *
 * Invariants: each object is re-hashed while it is copied, so a damaged
 * object stops the bag (CF_EVERIFY) instead of producing one whose manifest
 * lies.  Two versions of one file in an order (chat.json re-exported with
 * changes) become chat.json and chat-v2.json; payload paths never hold
 * "..", an absolute part or bytes that are not UTF-8; the evidence.json
 * tag file maps every payload path to its evidence row.
 */
#ifndef CASEFILE_BAG_H
#define CASEFILE_BAG_H

#include "casefile/err.h"

struct vault;

enum bag_format { BAG_DIR, BAG_ZIP, BAG_TGZ };

/*
 * The format OUT asks for: .zip, .tar.gz or .tgz (any case), else a folder
 * when its last part has no '.' or names an existing folder.  OUT must not
 * exist, except as an empty folder, which is removed here (the bag takes
 * its place).  0, or -1 with CF_EINPUT: "cannot tell the output format of
 * 'OUT': ..." or "'OUT' already exists: not overwriting it".
 */
int bag_output_check(const char *out, enum bag_format *fmt, struct cf_err *err);

/* What goes into the bag: the orders named, or one day, or everything. */
struct bag_opts {
	const char *out;		/* checked by bag_output_check() */
	enum bag_format format;
	char *const *orders;		/* norders order ids (each must exist) */
	int norders;
	const char *date;		/* or YYYY-MM-DD: bundles imported for
					   that day, files ingested on it */
	long tz_offset;			/* seconds east of UTC: the day of --date
					   and Bagging-Date */
	long long now;			/* Bagging-Date, tag files' mtime */
};

struct bag_report {
	unsigned long orders, files;
	unsigned long long bytes;	/* payload bytes */
};

/*
 * Write the bag of o to o->out from vault v.  0 with *rep filled and the
 * bag in place; -1 and nothing left at o->out on failure: CF_ENOTFOUND
 * ("unknown order 'X': nothing in the vault" before anything is written,
 * "nothing to export ..." when no row matched), CF_EVERIFY (an object does
 * not match its hash or size), CF_EIO (disk full and the like, naming the
 * path), CF_EARCHIVE, CF_EDB.
 */
int bag_write(struct vault *v, const struct bag_opts *o, struct bag_report *rep,
	      struct cf_err *err);

#endif
