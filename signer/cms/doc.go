// Package cms builds, co-signs, timestamps, parses and verifies CMS
// SignedData (RFC 5652) in the CAdES-BES and CAdES-T forms that Kalkan
// (NCALayer) produces for Kazakhstan's EDS:
//
//   - SignedData version 1 (3 when the content is not id-data, as RFC 5652
//     requires, e.g. a TSA's TSTInfo), the signer's certificate included;
//   - SignerInfo version 1 with issuerAndSerialNumber;
//   - signed attributes contentType, signingTime (UTCTime until 2049),
//     signingCertificateV2 (ESSCertIDv2 over SHA-256, hashAlgorithm left out
//     as the default, issuerSerial present) and messageDigest, the SET
//     sorted by DER encoding (X.690 11.6);
//   - GOST AlgorithmIdentifiers with NULL parameters, GOST signatures r‖s
//     little-endian (see signer/rawsig);
//   - a timestamp as the unsigned attribute id-aa-timeStampToken holding an
//     RFC 3161 token over the SignerInfo's signature value.
//
// Input may be BER (indefinite lengths, constructed OCTET STRINGs, as
// OpenSSL's streaming mode and Java tools write it): it is converted to DER
// with signer/internal/ber before parsing, so signed attributes are checked
// over their DER form. Output is DER, except that SignerInfos and
// certificates keep the order in which they were added (a co-signature
// appends; the first signer stays first), which DER's sorted SET OF would
// not; no verifier we know of checks that order.
//
// Verify reports per SignerInfo what the bytes prove (pki.Evidence); trust,
// revocation and the final verdict belong to signer/pki.
package cms
