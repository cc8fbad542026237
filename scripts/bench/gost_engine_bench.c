/*
 * gost_engine_bench: times GOST signatures in OpenSSL's reference GOST engine
 * (libengine-gost-openssl), to compare with Qoltanba's signer/gost.
 *
 * For each algorithm it generates a key in the engine, then times N
 * EVP_PKEY_sign and N EVP_PKEY_verify calls over a fixed digest of 0x33 bytes
 * (the digest Qoltanba's benchmarks use) and prints lines such as
 *
 *     engine GOST34.10-2015-512 sign 1234.5 ops/s
 *
 * Usage: gost_engine_bench [N]   (default N = 200)
 * Build: cc -O2 -Wno-deprecated-declarations gost_engine_bench.c -lcrypto
 *
 * The ENGINE API is deprecated in OpenSSL 3 but is the only way the GOST
 * engine is offered by Debian; the warnings are expected.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>

struct alg {
	const char *label;    /* printed name */
	const char *sn;       /* OpenSSL short name of the key type */
	const char *paramset; /* value of the engine's "paramset" ctrl */
	size_t digest_len;
};

static const struct alg algs[] = {
	{"GOST34.10-2015-512", "gost2012_512", "A", 64},
	{"GOST34.10-2015-256", "gost2012_256", "TCA", 32},
	{"GOST34.310-2004", "gost2001", "A", 32},
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int fail(const char *what)
{
	fprintf(stderr, "gost_engine_bench: %s failed\n", what);
	ERR_print_errors_fp(stderr);
	return 1;
}

static EVP_PKEY *generate(ENGINE *e, const struct alg *a)
{
	int nid = OBJ_sn2nid(a->sn);
	EVP_PKEY *pkey = NULL;
	EVP_PKEY_CTX *ctx;

	if (nid == NID_undef)
		return NULL;
	ctx = EVP_PKEY_CTX_new_id(nid, e);
	if (ctx == NULL)
		return NULL;
	if (EVP_PKEY_keygen_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_ctrl_str(ctx, "paramset", a->paramset) <= 0 ||
	    EVP_PKEY_keygen(ctx, &pkey) <= 0)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

static int bench(ENGINE *e, const struct alg *a, int n)
{
	unsigned char digest[64], sig[256];
	size_t siglen = sizeof(sig);
	EVP_PKEY *pkey;
	EVP_PKEY_CTX *ctx;
	double t0, t1;
	int i;

	memset(digest, 0x33, sizeof(digest));
	pkey = generate(e, a);
	if (pkey == NULL)
		return fail(a->label);

	ctx = EVP_PKEY_CTX_new(pkey, e);
	if (ctx == NULL || EVP_PKEY_sign_init(ctx) <= 0)
		return fail("EVP_PKEY_sign_init");
	t0 = now();
	for (i = 0; i < n; i++) {
		siglen = sizeof(sig);
		if (EVP_PKEY_sign(ctx, sig, &siglen, digest, a->digest_len) <= 0)
			return fail("EVP_PKEY_sign");
	}
	t1 = now();
	printf("engine %s sign %.1f ops/s\n", a->label, n / (t1 - t0));
	EVP_PKEY_CTX_free(ctx);

	ctx = EVP_PKEY_CTX_new(pkey, e);
	if (ctx == NULL || EVP_PKEY_verify_init(ctx) <= 0)
		return fail("EVP_PKEY_verify_init");
	t0 = now();
	for (i = 0; i < n; i++) {
		if (EVP_PKEY_verify(ctx, sig, siglen, digest, a->digest_len) != 1)
			return fail("EVP_PKEY_verify");
	}
	t1 = now();
	printf("engine %s verify %.1f ops/s\n", a->label, n / (t1 - t0));
	fflush(stdout);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return 0;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 200;
	ENGINE *e;
	size_t i;
	int rc = 0;

	if (n <= 0)
		n = 200;
	ENGINE_load_builtin_engines();
	e = ENGINE_by_id("gost");
	if (e == NULL || !ENGINE_init(e)) {
		fprintf(stderr, "gost_engine_bench: the OpenSSL GOST engine is not available "
				"(install libengine-gost-openssl)\n");
		ERR_print_errors_fp(stderr);
		return 2;
	}
	/* Registers the engine's algorithms (and their names) with libcrypto. */
	if (!ENGINE_set_default(e, ENGINE_METHOD_ALL))
		return fail("ENGINE_set_default");
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		rc |= bench(e, &algs[i], n);
	ENGINE_finish(e);
	ENGINE_free(e);
	return rc;
}
