package api

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:generate go tool oapi-codegen -config codegen.yaml openapi.yaml

// SpecYAML is the contract, openapi.yaml, as shipped.
//
//go:embed openapi.yaml
var SpecYAML []byte

// BasePath is where the API lives on a portal's address.
const BasePath = "/api/v1"

// Spec parses and validates the contract.
func Spec(ctx context.Context) (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(SpecYAML)
	if err != nil {
		return nil, fmt.Errorf("load openapi.yaml: %w", err)
	}
	if err := doc.Validate(ctx); err != nil {
		return nil, fmt.Errorf("openapi.yaml is not valid: %w", err)
	}
	return doc, nil
}
