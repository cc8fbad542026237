// Package assets embeds what the program carries with it: the icon now;
// translations and trust anchors as they arrive.
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

// Icon is the application icon (also named in FyneApp.toml for packaging).
var Icon = fyne.NewStaticResource("qoltanba.png", iconPNG)
