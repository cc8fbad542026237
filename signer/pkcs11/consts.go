package pkcs11

// The PKCS#11 constants this package uses, from the OASIS PKCS#11 v2.40/3.0
// headers (and the TC26 vendor extensions for GOST 2012-512). They are kept
// here rather than taken from github.com/miekg/pkcs11 so that the pure-Go part
// of the package builds without cgo.

// Return values (CKR_*).
const (
	ckrOK                        = 0x000
	ckrGeneralError              = 0x005
	ckrFunctionFailed            = 0x006
	ckrAttributeSensitive        = 0x011
	ckrAttributeTypeInvalid      = 0x012
	ckrDeviceError               = 0x030
	ckrDeviceMemory              = 0x031
	ckrDeviceRemoved             = 0x032
	ckrKeyHandleInvalid          = 0x060
	ckrMechanismInvalid          = 0x070
	ckrObjectHandleInvalid       = 0x082
	ckrPINIncorrect              = 0x0A0
	ckrPINInvalid                = 0x0A1
	ckrPINLenRange               = 0x0A2
	ckrPINLocked                 = 0x0A4
	ckrSessionClosed             = 0x0B0
	ckrSessionHandleInvalid      = 0x0B3
	ckrTokenNotPresent           = 0x0E0
	ckrTokenNotRecognized        = 0x0E1
	ckrUserAlreadyLoggedIn       = 0x100
	ckrUserNotLoggedIn           = 0x101
	ckrUserPINNotInitialized     = 0x102
	ckrCryptokiNotInitialized    = 0x190
	ckrCryptokiAlreadyInitialize = 0x191
	ckrSlotIDInvalid             = 0x003
)

// Token flags (CKF_* in CK_TOKEN_INFO).
const (
	ckfLoginRequired         = 0x00000004
	ckfUserPINInitialized    = 0x00000008
	ckfProtectedAuthPath     = 0x00000100
	ckfTokenInitialized      = 0x00000400
	ckfUserPINCountLow       = 0x00010000
	ckfUserPINFinalTry       = 0x00020000
	ckfUserPINLocked         = 0x00040000
	ckfUserPINToBeChanged    = 0x00080000
	ckfSOPINLocked           = 0x00400000
	ckfTokenPresent          = 0x00000001 // in CK_SLOT_INFO
	ckfRemovableDevice       = 0x00000002 // in CK_SLOT_INFO
	ckfSerialSession         = 0x00000004 // C_OpenSession
	ckfRWSession             = 0x00000002 // C_OpenSession
	ckuUser                  = 1
	ckuSO                    = 0
	ckcX509                  = 0
	ckVendorPKCS11RuTeamTC26 = 0xD4321000
	ckkGOSTR3410512          = ckVendorPKCS11RuTeamTC26 | 0x003
	ckmGOSTR3410512          = ckVendorPKCS11RuTeamTC26 | 0x006
	ckmGOSTR3410             = 0x1201
	ckmRSAPKCS               = 0x0001
	ckmSHA256RSAPKCS         = 0x0040
	ckmSHA384RSAPKCS         = 0x0041
	ckmSHA512RSAPKCS         = 0x0042
	ckmECDSA                 = 0x1041
	ckmVendorDefined         = 0x80000000
	ckoCertificate           = 1
	ckoPublicKey             = 2
	ckoPrivateKey            = 3
	ckkRSA                   = 0x00
	ckkEC                    = 0x03
	ckkGOSTR3410             = 0x30
	ckaClass                 = 0x000
	ckaToken                 = 0x001
	ckaPrivate               = 0x002
	ckaLabel                 = 0x003
	ckaValue                 = 0x011
	ckaCertificateType       = 0x080
	ckaKeyType               = 0x100
	ckaID                    = 0x102
	ckaSign                  = 0x108
	ckaModulus               = 0x120
	ckaPublicExponent        = 0x122
	ckaECParams              = 0x180
	ckaECPoint               = 0x181
	ckaGOSTR3410Params       = 0x250
	ckaGOSTR3411Params       = 0x251
	maxObjectsPerFind        = 64
	maxObjectsPerToken       = 1024
)
