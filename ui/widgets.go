package ui

import (
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// level is the traffic-light status every screen uses the same way:
// green = fine, yellow = look closer, red = do not rely on it.
type level int

const (
	levelNone level = iota
	levelOK
	levelWarn
	levelBad
)

func (l level) colorName() fyne.ThemeColorName {
	switch l {
	case levelOK:
		return theme.ColorNameSuccess
	case levelWarn:
		return theme.ColorNameWarning
	case levelBad:
		return theme.ColorNameError
	}
	return theme.ColorNameDisabled
}

func (l level) icon() fyne.Resource {
	switch l {
	case levelOK:
		return theme.NewSuccessThemedResource(theme.ConfirmIcon())
	case levelWarn:
		return theme.NewWarningThemedResource(theme.WarningIcon())
	case levelBad:
		return theme.NewErrorThemedResource(theme.ErrorIcon())
	}
	return theme.InfoIcon()
}

func themeColor(n fyne.ThemeColorName) color.Color {
	return fyne.CurrentApp().Settings().Theme().Color(n, fyne.CurrentApp().Settings().ThemeVariant())
}

// tinted is c at the given opacity (0–255), for soft status backgrounds.
func tinted(c color.Color, alpha uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: alpha}
}

// banner is a coloured box with an icon, a bold title and a line of text:
// the one thing a user reads first on a result.
func banner(l level, title, text string) fyne.CanvasObject {
	bg := canvas.NewRectangle(tinted(themeColor(l.colorName()), 48))
	bg.CornerRadius = theme.InputRadiusSize() * 2
	bg.StrokeColor = themeColor(l.colorName())
	bg.StrokeWidth = 1.5
	t := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.Wrapping = fyne.TextWrapWord
	t.SizeName = theme.SizeNameSubHeadingText
	body := container.NewVBox(t)
	if text != "" {
		s := widget.NewLabel(text)
		s.Wrapping = fyne.TextWrapWord
		body.Add(s)
	}
	icon := widget.NewIcon(l.icon())
	iconBox := container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(40), icon))
	return container.NewStack(bg, container.NewPadded(container.NewBorder(nil, nil, iconBox, nil, body)))
}

// badge is a small coloured tag such as TEST or an expiry status.
func badge(text string, c fyne.ThemeColorName) fyne.CanvasObject {
	bg := canvas.NewRectangle(themeColor(c))
	bg.CornerRadius = 6
	t := canvas.NewText(text, themeColor(theme.ColorNameForegroundOnPrimary))
	if c == theme.ColorNameWarning || c == theme.ColorNameSuccess {
		t.Color = color.NRGBA{A: 255}
	}
	t.TextStyle.Bold = true
	t.TextSize = theme.CaptionTextSize() + 1
	pad := canvas.NewRectangle(color.Transparent)
	pad.SetMinSize(fyne.NewSize(t.MinSize().Width+14, t.MinSize().Height+6))
	return container.NewCenter(container.NewStack(bg, pad, container.NewCenter(t)))
}

// testBadge marks everything that comes from the test PKI.
func testBadge() fyne.CanvasObject { return badge(T("badge.test"), theme.ColorNameWarning) }

// fields lays out label/value rows, skipping empty values.
func fields(rows ...[2]string) *fyne.Container {
	c := container.New(layout.NewFormLayout())
	for _, r := range rows {
		if r[1] == "" {
			continue
		}
		k := widget.NewLabelWithStyle(r[0], fyne.TextAlignTrailing, fyne.TextStyle{})
		v := widget.NewLabel(r[1])
		v.Wrapping = fyne.TextWrapWord
		if len(r[1]) > 32 && !strings.ContainsAny(r[1], " \t") {
			v.Wrapping = fyne.TextWrapBreak // a path or a serial: one long word
		}
		v.Selectable = true
		c.Add(k)
		c.Add(v)
	}
	return c
}

// card is a titled panel with a soft background.
func card(title string, content fyne.CanvasObject) fyne.CanvasObject {
	bg := canvas.NewRectangle(themeColor(theme.ColorNameInputBackground))
	bg.CornerRadius = theme.InputRadiusSize() * 2
	var inner fyne.CanvasObject = content
	if title != "" {
		t := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		inner = container.NewBorder(t, nil, nil, nil, content)
	}
	return container.NewStack(bg, container.NewPadded(inner))
}

// page frames a screen: a title, a line saying what the screen is for, and
// the body, scrolled when the window is small.
func page(title, subtitle string, body fyne.CanvasObject) fyne.CanvasObject {
	return pageWithFooter(title, subtitle, body, nil)
}

// pageWithFooter is page with a footer that stays in view below the
// scrolled body: a screen's main action, visible at any window height.
func pageWithFooter(title, subtitle string, body, footer fyne.CanvasObject) fyne.CanvasObject {
	t := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.SizeName = theme.SizeNameHeadingText
	head := container.NewVBox(t)
	if subtitle != "" {
		s := widget.NewLabel(subtitle)
		s.Wrapping = fyne.TextWrapWord
		head.Add(s)
	}
	head.Add(widget.NewSeparator())
	if footer != nil {
		footer = container.NewVBox(widget.NewSeparator(), container.NewPadded(footer))
	}
	return container.NewBorder(container.NewPadded(head), footer, nil, nil, container.NewVScroll(container.NewPadded(body)))
}

// wrapped is a word-wrapped label.
func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// bold is a bold label.
func bold(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.Wrapping = fyne.TextWrapWord
	return l
}

// listWidth is the narrowest a list beside its details gets: room for a
// name and its badges.
const listWidth = 290

// listAndDetail lays out the Keys, Documents and Agreements screens: the
// list at the left, the same width on each, the chosen item's details at
// the right.
func listAndDetail(list, detail fyne.CanvasObject) *container.Split {
	split := container.NewHSplit(withMinWidth(list, listWidth), detail)
	split.Offset = 0.36
	return split
}

// withMinWidth keeps o at least w wide (a split or a border otherwise
// gives a list only the width of its narrowest row).
func withMinWidth(o fyne.CanvasObject, w float32) fyne.CanvasObject {
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(fyne.NewSize(w, 0))
	return container.NewStack(r, o)
}

// actionRow lays buttons out in a row that wraps onto more lines where
// the words of a language do not fit beside each other.
func actionRow(buttons ...fyne.CanvasObject) *fyne.Container {
	return container.New(layout.NewRowWrapLayout(), buttons...)
}

// loading is a thin moving bar at the top of a pane whose content is on
// its way (a bare infinite bar would fill the whole pane).
func loading() fyne.CanvasObject { return container.NewVBox(widget.NewProgressBarInfinite()) }

// enable enables or disables every widget in c and its containers.
func enable(c *fyne.Container, on bool) {
	for _, o := range c.Objects {
		switch o := o.(type) {
		case *fyne.Container:
			enable(o, on)
		case fyne.Disableable:
			if on {
				o.Enable()
			} else {
				o.Disable()
			}
		}
	}
}
