/* Test setup only, never shipped: built with MinGW and copied into the Wine prefix the
   packaging tests make. */
#include <windows.h>
#include <ntsecapi.h>
/* Wine 8 lacks bcryptprimitives!ProcessPrng, which Go 1.26 programs call for
   randomness; this test-only DLL gives it from RtlGenRandom. */
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
	while (len > 0) {
		ULONG n = len > 0x7fffffff ? 0x7fffffff : (ULONG)len;
		if (!RtlGenRandom(data, n)) return FALSE;
		data += n; len -= n;
	}
	return TRUE;
}
