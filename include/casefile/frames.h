/* SPDX-License-Identifier: MIT */
/*
 * frames — still frames from a video, for the evidence cards of `casefile
 * pack` and the video's exhibit page: FFmpeg's libavformat (demux),
 * libavcodec (decode) and libswscale (scale to RGB).
 *
 * Only the frames asked for are decoded: for each wanted time the demuxer
 * seeks to the key frame at or before it (AVSEEK_FLAG_BACKWARD) and the
 * first frame decoded after the seek is taken, so a 500 MB video costs a
 * few key frames, never a pass over the whole file.  Frames are scaled to
 * at most max_w pixels wide before they are kept, so memory is bounded by
 * n * max_w * max_h * 3 plus the decoder's own.
 *
 * Times: evenly spaced over the duration, the first at 0 and the last
 * near the end (the last key frame before it).  A frame's time is its
 * presentation time in the video (ms from the start), which is what the
 * card shows: "00:12"; for a key-frame seek it is the key frame's time,
 * not the time asked for.
 */
#ifndef CASEFILE_FRAMES_H
#define CASEFILE_FRAMES_H

#include <stddef.h>

#include "casefile/err.h"

struct frame {
	long long ms;		/* presentation time from the start */
	int w, h;		/* pixels */
	unsigned char *rgb;	/* w*h*3 bytes, rows packed (heap) */
};

struct frames {
	struct frame *v;
	size_t n;
	long long duration_ms;	/* -1 unknown */
	long long created_at;	/* container creation_time, UTC s; -1 none */
	char codec[32];		/* "h264" */
	int width, height;	/* the video's own size */
};

/*
 * Decode up to n (1..16) frames of the video at path, scaled to at most
 * max_w x max_h (aspect kept).  Returns 0 with *out filled (release with
 * frames_release), or -1 with CF_EINPUT naming what could not be read
 * ("no video stream", "cannot decode h264 frame at 00:12: …"); *out is
 * then empty.  Frames whose times coincide are kept once.
 */
int frames_extract(const char *path, int n, int max_w, int max_h,
		   struct frames *out, struct cf_err *err);
void frames_release(struct frames *f);
/*
 * Only the container facts (no frame decoded): duration, creation time,
 * codec, size into *out (n = 0).  0, or -1 with CF_EINPUT as above.
 */
int frames_info(const char *path, struct frames *out, struct cf_err *err);

#endif
