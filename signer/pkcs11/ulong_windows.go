package pkcs11

// ulongSize is sizeof(CK_ULONG): C's unsigned long is 32 bits on Windows.
const ulongSize = 4
