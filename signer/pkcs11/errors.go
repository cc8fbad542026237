package pkcs11

import (
	"errors"
	"fmt"
)

// Errors callers act on; test with errors.Is. Wrong PINs and locked tokens
// wrap signer.ErrWrongPassword and signer.ErrPINLocked instead.
var (
	// ErrNeedsCgo: this build has no PKCS#11 support (built with CGO_ENABLED=0).
	ErrNeedsCgo = errors.New("PKCS#11 support needs cgo")
	// ErrNotPKCS11: the module path is missing, cannot be loaded, or is not a PKCS#11 library.
	ErrNotPKCS11 = errors.New("not a PKCS#11 module")
	// ErrTokenNotFound: no present token matches the URI.
	ErrTokenNotFound = errors.New("token not found")
	// ErrTokenRemoved: the token went away during the operation.
	ErrTokenRemoved = errors.New("token removed")
	// ErrNoCertificate: the token holds the key but not its certificate.
	ErrNoCertificate = errors.New("key has no certificate on the token")
	// ErrMechanism: the token cannot sign this way (missing mechanism, unsupported hash or key).
	ErrMechanism = errors.New("signing mechanism not supported")
	// ErrBadURI: the string is not a usable RFC 7512 pkcs11: URI.
	ErrBadURI = errors.New("invalid pkcs11 URI")
)

// RV is a PKCS#11 return value (CK_RV) other than CKR_OK, as a Go error.
type RV uint

var rvNames = map[RV]string{
	ckrGeneralError:              "CKR_GENERAL_ERROR",
	ckrFunctionFailed:            "CKR_FUNCTION_FAILED",
	ckrAttributeSensitive:        "CKR_ATTRIBUTE_SENSITIVE",
	ckrAttributeTypeInvalid:      "CKR_ATTRIBUTE_TYPE_INVALID",
	ckrDeviceError:               "CKR_DEVICE_ERROR",
	ckrDeviceMemory:              "CKR_DEVICE_MEMORY",
	ckrDeviceRemoved:             "CKR_DEVICE_REMOVED",
	ckrKeyHandleInvalid:          "CKR_KEY_HANDLE_INVALID",
	ckrMechanismInvalid:          "CKR_MECHANISM_INVALID",
	ckrObjectHandleInvalid:       "CKR_OBJECT_HANDLE_INVALID",
	ckrPINIncorrect:              "CKR_PIN_INCORRECT",
	ckrPINInvalid:                "CKR_PIN_INVALID",
	ckrPINLenRange:               "CKR_PIN_LEN_RANGE",
	ckrPINLocked:                 "CKR_PIN_LOCKED",
	ckrSessionClosed:             "CKR_SESSION_CLOSED",
	ckrSessionHandleInvalid:      "CKR_SESSION_HANDLE_INVALID",
	ckrTokenNotPresent:           "CKR_TOKEN_NOT_PRESENT",
	ckrTokenNotRecognized:        "CKR_TOKEN_NOT_RECOGNIZED",
	ckrUserAlreadyLoggedIn:       "CKR_USER_ALREADY_LOGGED_IN",
	ckrUserNotLoggedIn:           "CKR_USER_NOT_LOGGED_IN",
	ckrUserPINNotInitialized:     "CKR_USER_PIN_NOT_INITIALIZED",
	ckrCryptokiNotInitialized:    "CKR_CRYPTOKI_NOT_INITIALIZED",
	ckrCryptokiAlreadyInitialize: "CKR_CRYPTOKI_ALREADY_INITIALIZED",
	ckrSlotIDInvalid:             "CKR_SLOT_ID_INVALID",
}

func (e RV) Error() string {
	if n, ok := rvNames[e]; ok {
		return fmt.Sprintf("pkcs11: %s (0x%X)", n, uint(e))
	}
	return fmt.Sprintf("pkcs11: error 0x%X", uint(e))
}

// isRV reports whether err carries one of the codes.
func isRV(err error, codes ...RV) bool {
	var rv RV
	if !errors.As(err, &rv) {
		return false
	}
	for _, c := range codes {
		if rv == c {
			return true
		}
	}
	return false
}

// isGone reports whether err means the token (or its session) went away:
// what a reader returns when the card is pulled mid-operation.
func isGone(err error) bool {
	return isRV(err, ckrDeviceRemoved, ckrTokenNotPresent, ckrTokenNotRecognized,
		ckrSessionHandleInvalid, ckrSessionClosed, ckrSlotIDInvalid, ckrDeviceError,
		ckrObjectHandleInvalid, ckrKeyHandleInvalid)
}
