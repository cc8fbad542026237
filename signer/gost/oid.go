package gost

import "encoding/asn1"

// Object identifiers of Kazakhstan's GOST algorithms (arc 1.2.398.3.10,
// docs/kz-pki.md). KZ uses its own arcs even where the mathematics is the
// Russian one; certificates and CMS from NCA RK carry only these.
var (
	// GOST 34.10-2015, 512 bits.
	OIDPublicKey2015_512 = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 2, 2}
	OIDParamSet2015_512A = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 2, 2, 1}
	OIDDigest2015_512    = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 3, 3}
	OIDSignature2015_512 = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 2, 3, 2}
	OIDPublicKey2015_256 = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 2, 1}
	OIDParamSet2015_256A = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 2, 1, 1}
	OIDDigest2015_256    = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 3, 2}
	OIDSignature2015_256 = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 2, 3, 1}
	OIDPublicKey2004     = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 1, 1}
	OIDParamSet2004      = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 1, 1, 1}
	OIDHashParamSet2004  = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 3, 1, 1, 0}
	OIDSignature2004     = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 1, 2}
	OIDDigest2004        = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 3, 1}
)
