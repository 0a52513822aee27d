/* SPDX-License-Identifier: MIT */
/*
 * tsa_server — a small RFC 3161 time-stamp authority over HTTP on
 * 127.0.0.1, for the CLI tests and benchmarks (no network needed).
 *
 *   tsa_server --key K.pem --cert C.pem [--chain CA.pem]
 *              [--mode ok|reject|garbage|hang|badnonce|http500]
 *              [--port N] [--port-file F] [--tls-cert C --tls-key K]
 *
 * It listens on 127.0.0.1 (port 0 picks a free one), prints the port on
 * stdout and writes it to --port-file, then answers one connection at a
 * time until killed.  Modes: ok grants; reject answers status rejection;
 * garbage answers HTTP 200 with bytes that are not a TimeStampResp;
 * hang reads the request and never answers (client timeouts); badnonce
 * grants with a different nonce; http500 answers an HTTP error.  With
 * --tls-cert/--tls-key it speaks HTTPS instead.
 */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "casefile/tsa.h"
#include "tsa_test.h"

static void
die(const char *msg)
{
	fprintf(stderr, "tsa_server: %s\n", msg);
	exit(1);
}

struct conn {
	int fd;
	SSL *ssl;
};

static ssize_t
conn_read(struct conn *c, void *p, size_t n)
{
	if (c->ssl) {
		int r = SSL_read(c->ssl, p, (int)n);

		return r > 0 ? r : -1;
	}
	return read(c->fd, p, n);
}

static int
write_all(struct conn *c, const void *p, size_t n)
{
	const char *q = p;

	while (n > 0) {
		ssize_t w = c->ssl ? SSL_write(c->ssl, q, (int)n) : write(c->fd, q, n);

		if (w <= 0)
			return -1;
		q += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read one HTTP request; returns the body (malloc'd) or NULL. */
static unsigned char *
read_request(struct conn *cn, size_t *blen)
{
	char *buf = NULL, *hend;
	size_t len = 0, cap = 0, clen = 0, hl;

	for (;;) {
		ssize_t r;

		if (len + 4096 > cap) {
			cap = cap ? cap * 2 : 8192;
			if (cap > (4u << 20))
				goto bad;
			buf = realloc(buf, cap + 1);
		}
		r = conn_read(cn, buf + len, cap - len);
		if (r <= 0)
			goto bad;
		len += (size_t)r;
		buf[len] = '\0';
		if ((hend = strstr(buf, "\r\n\r\n")) != NULL) {
			char *cl = strcasestr(buf, "content-length:");

			hl = (size_t)(hend - buf) + 4;
			if (cl == NULL || cl > hend)
				goto bad;
			clen = strtoul(cl + 15, NULL, 10);
			if (clen > (1u << 20))
				goto bad;
			while (len < hl + clen) {
				if (hl + clen > cap) {
					cap = hl + clen;
					buf = realloc(buf, cap + 1);
				}
				r = conn_read(cn, buf + len, cap - len);
				if (r <= 0)
					goto bad;
				len += (size_t)r;
			}
			memmove(buf, buf + hl, clen);
			*blen = clen;
			return (unsigned char *)buf;
		}
	}
bad:
	free(buf);
	return NULL;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", 1, NULL, 'k' }, { "cert", 1, NULL, 'c' }, { "chain", 1, NULL, 'C' },
		{ "mode", 1, NULL, 'm' }, { "port", 1, NULL, 'p' }, { "port-file", 1, NULL, 'f' },
		{ "tls-cert", 1, NULL, 'T' }, { "tls-key", 1, NULL, 'K' },
		{ 0 },
	};
	const char *keyp = NULL, *certp = NULL, *chainp = NULL, *mode = "ok", *portfile = NULL,
		   *tlscert = NULL, *tlskey = NULL;
	SSL_CTX *tls = NULL;
	int port = 0, c, s, one = 1;
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	struct tsa_server *tsa;
	struct cf_err err = CF_ERR_INIT;
	STACK_OF(X509) *chain = NULL;
	EVP_PKEY *key;
	X509 *cert, *x;
	FILE *f;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'k': keyp = optarg; break;
		case 'c': certp = optarg; break;
		case 'C': chainp = optarg; break;
		case 'm': mode = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'f': portfile = optarg; break;
		case 'T': tlscert = optarg; break;
		case 'K': tlskey = optarg; break;
		default: return 2;
		}
	}
	if (!keyp || !certp)
		die("usage: tsa_server --key K --cert C [--chain F] [--mode M] [--port-file F]");
	signal(SIGPIPE, SIG_IGN);
	if (!(f = fopen(keyp, "r")) || !(key = PEM_read_PrivateKey(f, NULL, NULL, NULL)))
		die("cannot read key");
	fclose(f);
	if (!(f = fopen(certp, "r")) || !(cert = PEM_read_X509(f, NULL, NULL, NULL)))
		die("cannot read cert");
	fclose(f);
	if (chainp) {
		chain = sk_X509_new_null();
		if (!(f = fopen(chainp, "r")))
			die("cannot read chain");
		while ((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL)
			sk_X509_push(chain, x);
		fclose(f);
	}
	if (tlscert) {
		if ((tls = SSL_CTX_new(TLS_server_method())) == NULL ||
		    SSL_CTX_use_certificate_chain_file(tls, tlscert) != 1 ||
		    SSL_CTX_use_PrivateKey_file(tls, tlskey ? tlskey : tlscert, SSL_FILETYPE_PEM) != 1)
			die("cannot load the tls certificate");
	}
	if (tsa_server_new(key, cert, chain, &tsa, &err) < 0)
		die(err.msg);
	if (!strcmp(mode, "reject"))
		tsa_server_set_mode(tsa, TSA_SERVER_REJECT);
	else if (!strcmp(mode, "garbage"))
		tsa_server_set_mode(tsa, TSA_SERVER_GARBAGE);
	else if (!strcmp(mode, "badnonce"))
		tsa_server_set_mode(tsa, TSA_SERVER_BADNONCE);
	else if (strcmp(mode, "ok") && strcmp(mode, "hang") && strcmp(mode, "http500"))
		die("unknown mode");

	if ((s = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		die("socket");
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((unsigned short)port);
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 16) < 0 ||
	    getsockname(s, (struct sockaddr *)&sa, &sl) < 0)
		die("cannot listen on 127.0.0.1");
	port = ntohs(sa.sin_port);
	if (portfile) {
		char tmp[4096];

		snprintf(tmp, sizeof(tmp), "%s.tmp", portfile);
		if (!(f = fopen(tmp, "w")))
			die("cannot write port file");
		fprintf(f, "%d\n", port);
		fclose(f);
		rename(tmp, portfile);
	}
	printf("%d\n", port);
	fflush(stdout);
	for (;;) {
		int fd = accept(s, NULL, NULL);
		struct conn cn = { fd, NULL };
		unsigned char *body, *resp = NULL;
		size_t blen = 0, rlen = 0;
		char hdr[256];

		if (fd < 0) {
			if (errno == EINTR)
				continue;
			die("accept");
		}
		if (tls) {
			cn.ssl = SSL_new(tls);
			SSL_set_fd(cn.ssl, fd);
			if (SSL_accept(cn.ssl) != 1) {
				SSL_free(cn.ssl);
				close(fd);
				continue;
			}
		}
		body = read_request(&cn, &blen);
		if (body == NULL) {
			SSL_free(cn.ssl);
			close(fd);
			continue;
		}
		if (!strcmp(mode, "hang")) {
			/* never answer; the fd stays open until we are killed */
			free(body);
			continue;
		}
		if (!strcmp(mode, "http500")) {
			static const char r500[] = "HTTP/1.1 500 Internal Server Error\r\n"
						   "Content-Length: 0\r\nConnection: close\r\n\r\n";

			write_all(&cn, r500, sizeof(r500) - 1);
		} else if (tsa_server_respond(tsa, body, blen, &resp, &rlen, &err) == 0) {
			snprintf(hdr, sizeof(hdr), "HTTP/1.1 200 OK\r\nContent-Type: application/timestamp-reply\r\n"
				 "Content-Length: %zu\r\nConnection: close\r\n\r\n", rlen);
			write_all(&cn, hdr, strlen(hdr));
			write_all(&cn, resp, rlen);
		} else {
			static const char r400[] = "HTTP/1.1 400 Bad Request\r\n"
						   "Content-Length: 0\r\nConnection: close\r\n\r\n";

			fprintf(stderr, "tsa_server: %s\n", err.msg);
			cf_err_release(&err);
			write_all(&cn, r400, sizeof(r400) - 1);
		}
		free(resp);
		free(body);
		if (cn.ssl) {
			SSL_shutdown(cn.ssl);
			SSL_free(cn.ssl);
		}
		close(fd);
	}
}
