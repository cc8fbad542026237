// Package fonts embeds the font Qoltanba writes PDFs with — signature
// stamps and paper copies: PT Sans by ParaType, made for the languages of
// Russia's and its neighbours' peoples, with every Kazakh letter
// (ә ғ қ ң ө ұ ү һ і). Its licence (PTSans-LICENSE.txt) allows embedding
// and bundling; it travels with the fonts.
package fonts

import _ "embed"

// Regular and Bold are PT Sans (TrueType) as ParaType publishes it
// (Debian's fonts-paratype: PTS55F.ttf, PTS75F.ttf).
var (
	//go:embed PTSans-Regular.ttf
	Regular []byte
	//go:embed PTSans-Bold.ttf
	Bold []byte
)

// Licence is the fonts' licence text.
//
//go:embed PTSans-LICENSE.txt
var Licence string
