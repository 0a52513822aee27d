/* SPDX-License-Identifier: MIT */
/*
 * pack_profile — the evidence forms `casefile pack` writes for, with their
 * published limits.  Each figure names its source; a figure nobody has
 * published is marked unverified (the *_verified fields are 0), takes a
 * cautious default, and `pack` says so.  Change a figure only with a
 * source, and bump the profile's version (it is written into kit.json).
 */
#include <string.h>

#include "casefile/pack.h"
#include "casefile/statement.h"

/*
 * 抖店 after-sale evidence, open-platform SDK /afterSale/submitEvidence:
 * "evidence" image URLs, "凭证，最多四张" (at most 4); "comment" required,
 * its length not published; image size and format not published.
 * Defaults: 2 MB JPEG (what 微信小店 takes), 500 characters (抖音电商's
 * arbitration text box, templates/profiles/douyin.conf).
 */
static const struct pack_profile douyin = {
	.name = "douyin", .title = "抖店 售后凭证 /afterSale/submitEvidence",
	.version = "1",
	.max_images = 4, .max_images_verified = 1,
	.max_image_bytes = 2 * 1024 * 1024, .max_image_bytes_verified = 0,
	.formats = "jpeg,png",
	.min_text = 1, .max_text = 500, .count = PACK_COUNT_CHARS, .max_text_verified = 0,
	.api_images = "evidence", .api_text = "comment",
	.source = "抖店 open-platform SDK, /afterSale/submitEvidence parameter docs",
};

/*
 * 抖店 reject, open-platform SDK /afterSale/operate: evidence type 1 图片
 * only ("2:视频(暂不支持)"); reason and remark required.  Count, size and
 * text length not published: defaults 4 images, 2 MB, 200 characters.
 */
static const struct pack_profile douyin_reject = {
	.name = "douyin-reject", .title = "抖店 拒绝售后 /afterSale/operate",
	.version = "1",
	.max_images = 4, .max_images_verified = 0,
	.max_image_bytes = 2 * 1024 * 1024, .max_image_bytes_verified = 0,
	.formats = "jpeg,png",
	.min_text = 1, .max_text = 200, .count = PACK_COUNT_CHARS, .max_text_verified = 0,
	.api_images = "evidence", .api_text = "remark",
	.source = "抖店 open-platform SDK, /afterSale/operate parameter docs",
};

/*
 * 微信小店 complaint proof, developers.weixin.qq.com store API
 * addcomplaintproof: "media_id_list" (count not published: default 4),
 * image upload 2 MB per image, content "举证文字内容，最多500字".
 */
static const struct pack_profile wxshop = {
	.name = "wxshop", .title = "微信小店 举证 addcomplaintproof",
	.version = "1",
	.max_images = 4, .max_images_verified = 0,
	.max_image_bytes = 2 * 1024 * 1024, .max_image_bytes_verified = 1,
	.formats = "jpeg,png",
	.min_text = 1, .max_text = 500, .count = PACK_COUNT_CHARS, .max_text_verified = 1,
	.api_images = "media_id_list", .api_text = "content",
	.source = "developers.weixin.qq.com, 微信小店 API addcomplaintproof + media upload",
};

/*
 * 微信支付 consumer complaint, merchant reply, pay.weixin.qq.com apiv3
 * complaints: "最多上传4张图片" via the image upload API (its size is not
 * restated there: default 2 MB), response_content 1–200 characters.
 */
static const struct pack_profile wxpay = {
	.name = "wxpay", .title = "微信支付 消费者投诉 回复商户",
	.version = "1",
	.max_images = 4, .max_images_verified = 1,
	.max_image_bytes = 2 * 1024 * 1024, .max_image_bytes_verified = 0,
	.formats = "jpeg,png",
	.min_text = 1, .max_text = 200, .count = PACK_COUNT_CHARS, .max_text_verified = 1,
	.api_images = "response_images", .api_text = "response_content",
	.source = "pay.weixin.qq.com apiv3 merchant-service complaints, response API",
};

/*
 * 淘宝 taobao.refund.refuse, Taobao open-platform API: one refuse_proof
 * image, at most 130,000 bytes, GIF/JPG/PNG; refuse_message 2–200
 * characters.
 */
static const struct pack_profile taobao_refuse = {
	.name = "taobao-refuse", .title = "淘宝 拒绝退款 taobao.refund.refuse",
	.version = "1",
	.max_images = 1, .max_images_verified = 1,
	.max_image_bytes = 130000, .max_image_bytes_verified = 1,
	.formats = "gif,jpeg,png",
	.min_text = 2, .max_text = 200, .count = PACK_COUNT_CHARS, .max_text_verified = 1,
	.api_images = "refuse_proof", .api_text = "refuse_message",
	.source = "Taobao open-platform API taobao.refund.refuse",
};

/*
 * 淘宝 taobao.refund.message.add, Taobao open-platform API: one image per
 * call, JPG/GIF/PNG at most 500 KB (read as 500 x 1024 bytes... the page
 * says "500K"; we take the smaller 500,000); content at most 400 bytes.
 */
static const struct pack_profile taobao_message = {
	.name = "taobao-message", .title = "淘宝 退款留言 taobao.refund.message.add",
	.version = "1",
	.max_images = 1, .max_images_verified = 1,
	.max_image_bytes = 500000, .max_image_bytes_verified = 1,
	.formats = "gif,jpeg,png",
	.min_text = 1, .max_text = 400, .count = PACK_COUNT_BYTES, .max_text_verified = 1,
	.api_images = "image", .api_text = "content",
	.source = "Taobao open-platform API taobao.refund.message.add",
};

const struct pack_profile *const pack_profiles[] = {
	&douyin, &douyin_reject, &wxshop, &wxpay, &taobao_refuse, &taobao_message, NULL,
};

const struct pack_profile *
pack_profile_find(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	if (strcmp(name, "wechat") == 0 || strcmp(name, "weixin") == 0)
		name = "wxshop";
	else if (strcmp(name, "taobao") == 0)
		name = "taobao-refuse";
	for (i = 0; pack_profiles[i] != NULL; i++)
		if (strcmp(pack_profiles[i]->name, name) == 0)
			return pack_profiles[i];
	return NULL;
}

size_t
pack_text_length(const struct pack_profile *p, const char *s)
{
	return statement_count(s, p->count == PACK_COUNT_BYTES);
}
