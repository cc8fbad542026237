package docsign

import "testing"

func TestIsXMLMediaType(t *testing.T) {
	cases := []struct {
		mt   string
		want bool
	}{
		{"application/xml", true},
		{"text/xml; charset=utf-8", true},
		{"image/svg+xml", true},
		{"Application/XML", true},
		{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", false},
		{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", false},
		{"text/plain; charset=utf-8", false},
		{"application/pdf", false},
		{"", false},
	}
	for _, c := range cases {
		if got := IsXMLMediaType(c.mt); got != c.want {
			t.Errorf("IsXMLMediaType(%q) = %v, want %v", c.mt, got, c.want)
		}
	}
}
