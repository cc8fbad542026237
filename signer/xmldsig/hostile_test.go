package xmldsig

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/internal/heaptest"
)

// hostile builds a document of about size bytes: head, then unit repeated,
// then tail.
func hostile(size int, head, unit, tail string) []byte {
	var b bytes.Buffer
	b.WriteString(head)
	for b.Len()+len(unit)+len(tail) <= size {
		b.WriteString(unit)
	}
	b.WriteString(tail)
	return b.Bytes()
}

// TestHostileXMLMemory: the worst shapes at the size limit are refused (or
// verified) in memory bounded by 4× their size + 64 MB, whatever they are
// made of; before the element limit, 60 MB of tiny elements took 2.9 GB.
func TestHostileXMLMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 64 MB documents")
	}
	const size = MaxDocumentSize - 1024
	sig := `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/>`
	tests := []struct {
		name             string
		head, unit, tail string
		want             error
	}{
		{"tiny elements, no signature", "<r>", "<a/>", "</r>", ErrTooLarge},
		{"tiny elements after a signature", "<r>" + sig, "<a/>", "</r>", ErrTooLarge},
		{"attributes", "<r>" + sig + "<a ", `b="1" `, "/></r>", ErrTooLarge},
		{"elements at the limit, long text", "<r>" + sig, "<a>" + strings.Repeat("x", 330) + "</a>", "</r>", nil},
		{"text only", "<r>" + sig + "<a>", "Келісім ", "</a></r>", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := hostile(size, tt.head, tt.unit, tt.tail)
			bound := uint64(4*len(doc) + 64<<20)
			var err error
			start := time.Now()
			peak := heaptest.Peak(func() { _, err = Verify(doc) })
			elapsed := time.Since(start)
			t.Logf("%d MB: peak heap %d MB, %v: %v", len(doc)>>20, peak>>20, elapsed.Round(time.Millisecond), err)
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if peak > bound {
				t.Errorf("peak heap %d MB over the bound %d MB", peak>>20, bound>>20)
			}
		})
	}
}
