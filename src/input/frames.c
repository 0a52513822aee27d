/* SPDX-License-Identifier: MIT */
/*
 * frames — key frames of a video with libavformat/libavcodec/libswscale.
 * See frames.h for the contract; here: seek, decode one frame, scale.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>

#include "casefile/frames.h"
#include "casefile/xalloc.h"

/* Packets read after one seek before giving up on a frame. */
#define FRAMES_MAX_PACKETS 600

static const char *
averr(int e, char *buf, size_t n)
{
	av_strerror(e, buf, n);
	return buf;
}

/* "2025-05-02T01:12:00.000000Z" → UTC seconds, or -1. */
static long long
parse_creation(const char *s)
{
	struct tm tm;
	const char *p;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || (p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return -1;
	return (long long)timegm(&tm);
}

void
frames_release(struct frames *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->n; i++)
		free(f->v[i].rgb);
	free(f->v);
	f->v = NULL;
	f->n = 0;
}

/* Read packets of stream si until one frame decodes into fr.  0, or -1. */
static int
decode_one(AVFormatContext *fc, AVCodecContext *cc, int si, AVPacket *pkt,
	   AVFrame *fr)
{
	int k, r;

	for (k = 0; k < FRAMES_MAX_PACKETS; k++) {
		r = av_read_frame(fc, pkt);
		if (r < 0) {
			/* end of file: drain what the decoder holds */
			avcodec_send_packet(cc, NULL);
			return avcodec_receive_frame(cc, fr) == 0 ? 0 : -1;
		}
		if (pkt->stream_index != si) {
			av_packet_unref(pkt);
			continue;
		}
		r = avcodec_send_packet(cc, pkt);
		av_packet_unref(pkt);
		if (r < 0 && r != AVERROR(EAGAIN))
			return -1;
		r = avcodec_receive_frame(cc, fr);
		if (r == 0)
			return 0;
		if (r != AVERROR(EAGAIN))
			return -1;
	}
	return -1;
}

int
frames_info(const char *path, struct frames *out, struct cf_err *err)
{
	return frames_extract(path, 0, 0, 0, out, err);
}

int
frames_extract(const char *path, int n, int max_w, int max_h,
	       struct frames *out, struct cf_err *err)
{
	AVFormatContext *fc = NULL;
	AVCodecContext *cc = NULL;
	const AVCodec *codec = NULL;
	AVPacket *pkt = NULL;
	AVFrame *fr = NULL;
	struct SwsContext *sws = NULL;
	AVStream *st;
	AVDictionaryEntry *e;
	char eb[128];
	int si, r, i, ret = -1;
	long long dur_ms;

	memset(out, 0, sizeof(*out));
	out->duration_ms = -1;
	out->created_at = -1;
	if (n > 16)
		n = 16;
	av_log_set_level(AV_LOG_QUIET);
	if ((r = avformat_open_input(&fc, path, NULL, NULL)) < 0) {
		cf_err_set(err, CF_EINPUT, "not a video FFmpeg can read: %s",
			   averr(r, eb, sizeof(eb)));
		goto out;
	}
	if ((r = avformat_find_stream_info(fc, NULL)) < 0) {
		cf_err_set(err, CF_EINPUT, "cannot read the video's streams: %s",
			   averr(r, eb, sizeof(eb)));
		goto out;
	}
	si = av_find_best_stream(fc, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
	if (si < 0 || codec == NULL) {
		cf_err_set(err, CF_EINPUT, si == AVERROR_DECODER_NOT_FOUND ?
			   "no decoder for its video stream" : "no video stream");
		goto out;
	}
	st = fc->streams[si];
	snprintf(out->codec, sizeof(out->codec), "%s", codec->name);
	if ((e = av_dict_get(fc->metadata, "creation_time", NULL, 0)) != NULL ||
	    (e = av_dict_get(st->metadata, "creation_time", NULL, 0)) != NULL)
		out->created_at = parse_creation(e->value);
	if (fc->duration > 0)
		out->duration_ms = fc->duration / (AV_TIME_BASE / 1000);
	else if (st->duration > 0)
		out->duration_ms = (long long)(st->duration * av_q2d(st->time_base) * 1000);
	cc = avcodec_alloc_context3(codec);
	if (cc == NULL || avcodec_parameters_to_context(cc, st->codecpar) < 0) {
		cf_err_set(err, CF_EINPUT, "cannot set up the %s decoder", codec->name);
		goto out;
	}
	cc->thread_count = 1;
	if ((r = avcodec_open2(cc, codec, NULL)) < 0) {
		cf_err_set(err, CF_EINPUT, "cannot open the %s decoder: %s", codec->name,
			   averr(r, eb, sizeof(eb)));
		goto out;
	}
	if (cc->width <= 0 || cc->height <= 0 || cc->width > 16384 || cc->height > 16384) {
		cf_err_set(err, CF_EINPUT, "video frame size %dx%d not supported",
			   cc->width, cc->height);
		goto out;
	}
	out->width = cc->width;
	out->height = cc->height;
	pkt = av_packet_alloc();
	fr = av_frame_alloc();
	if (pkt == NULL || fr == NULL)
		abort();	/* out of memory: xalloc.h policy */
	dur_ms = out->duration_ms > 0 ? out->duration_ms : 0;
	for (i = 0; i < n; i++) {
		long long want = n == 1 || dur_ms == 0 ? 0 : dur_ms * i / (n - 1);
		int64_t ts;
		long long ms;
		int w, h;
		struct frame *f;
		uint8_t *dst[4];
		int dstride[4];

		if (i == n - 1 && want > 0)
			want = want > 500 ? want - 500 : 0;	/* last key frame before the end */
		ts = av_rescale_q(want, (AVRational){ 1, 1000 }, st->time_base);
		if (st->start_time != AV_NOPTS_VALUE)
			ts += st->start_time;
		if (av_seek_frame(fc, si, ts, AVSEEK_FLAG_BACKWARD) < 0 && i > 0)
			continue;
		avcodec_flush_buffers(cc);
		if (decode_one(fc, cc, si, pkt, fr) < 0) {
			if (i == 0) {
				cf_err_set(err, CF_EINPUT, "cannot decode a %s frame at %02lld:%02lld",
					   codec->name, want / 60000, want / 1000 % 60);
				goto out;
			}
			continue;
		}
		ms = fr->best_effort_timestamp != AV_NOPTS_VALUE ?
		     av_rescale_q(fr->best_effort_timestamp -
				  (st->start_time != AV_NOPTS_VALUE ? st->start_time : 0),
				  st->time_base, (AVRational){ 1, 1000 }) : want;
		if (ms < 0)
			ms = 0;
		if (out->n > 0 && out->v[out->n - 1].ms == ms) {
			av_frame_unref(fr);
			continue;
		}
		w = fr->width;
		h = fr->height;
		if (w > max_w) {
			h = (int)((long long)h * max_w / w);
			w = max_w;
		}
		if (h > max_h) {
			w = (int)((long long)w * max_h / h);
			h = max_h;
		}
		if (w < 1)
			w = 1;
		if (h < 1)
			h = 1;
		sws = sws_getCachedContext(sws, fr->width, fr->height, fr->format, w, h,
					   AV_PIX_FMT_RGB24, SWS_AREA, NULL, NULL, NULL);
		if (sws == NULL) {
			cf_err_set(err, CF_EINPUT, "cannot convert %s frames to RGB", codec->name);
			goto out;
		}
		out->v = xreallocarray(out->v, out->n + 1, sizeof(*out->v));
		f = &out->v[out->n++];
		f->ms = ms;
		f->w = w;
		f->h = h;
		f->rgb = xmalloc((size_t)w * h * 3);
		dst[0] = f->rgb;
		dst[1] = dst[2] = dst[3] = NULL;
		dstride[0] = w * 3;
		dstride[1] = dstride[2] = dstride[3] = 0;
		sws_scale(sws, (const uint8_t *const *)fr->data, fr->linesize, 0, fr->height,
			  dst, dstride);
		av_frame_unref(fr);
	}
	if (out->n == 0 && n > 0) {
		cf_err_set(err, CF_EINPUT, "no %s frame could be decoded", codec->name);
		goto out;
	}
	ret = 0;
out:
	sws_freeContext(sws);
	av_frame_free(&fr);
	av_packet_free(&pkt);
	avcodec_free_context(&cc);
	avformat_close_input(&fc);
	if (ret < 0)
		frames_release(out);
	return ret;
}
