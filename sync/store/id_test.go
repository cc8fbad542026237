package store

import (
	"strings"
	"testing"
	"time"
)

func TestIDOrderAndText(t *testing.T) {
	// Later than any ID made so far in this process (ids never go back).
	now := time.Now().Add(time.Hour).Truncate(time.Millisecond).UTC()
	var prev ID
	for i := range 1000 {
		id, err := NewID(now) // same millisecond: still strictly increasing
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 && id.Compare(prev) <= 0 {
			t.Fatalf("id %d not after the previous", i)
		}
		if s := id.String(); i > 0 && s <= prev.String() {
			t.Fatalf("text form does not sort like the id: %s <= %s", s, prev)
		}
		back, err := ParseID(strings.ToLower(id.String()))
		if err != nil || back != id {
			t.Fatalf("round trip %s: %v", id, err)
		}
		prev = id
	}
	if got := prev.Time(); !got.Equal(now) {
		t.Errorf("Time() = %v", got)
	}
	for _, bad := range []string{"", "short", strings.Repeat("U", 26), "8" + strings.Repeat("0", 25)} {
		if _, err := ParseID(bad); err == nil {
			t.Errorf("ParseID(%q) accepted", bad)
		}
	}
	if id, err := ParseID("0O" + strings.Repeat("0", 23) + "L"); err != nil || id[15] != 1 {
		t.Errorf("Crockford aliases: %v %v", id, err)
	}
	if max := (ID{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}); max.String() != "7ZZZZZZZZZZZZZZZZZZZZZZZZZ" {
		t.Errorf("max id = %s", max)
	}
}
