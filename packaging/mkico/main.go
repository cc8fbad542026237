// Command mkico writes a Windows icon (.ico) from a PNG: the image scaled
// to 256, 64, 48, 32 and 16 pixels, each stored as PNG inside the icon (as
// Windows Vista and later read them). scripts/package.sh runs it for the
// exe's and the installer's icon.
//
//	go run ./packaging/mkico IN.png OUT.ico
package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/png"
	"os"

	"golang.org/x/image/draw"
)

var sizes = []int{256, 64, 48, 32, 16}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: mkico IN.png OUT.ico")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "mkico:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	src, err := png.Decode(f)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	ico, err := icon(src)
	if err != nil {
		return err
	}
	return os.WriteFile(out, ico, 0o644)
}

// icon encodes src at every size as an ICO of PNG images.
func icon(src image.Image) ([]byte, error) {
	var images [][]byte
	for _, n := range sizes {
		dst := image.NewNRGBA(image.Rect(0, 0, n, n))
		draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
		var b bytes.Buffer
		if err := png.Encode(&b, dst); err != nil {
			return nil, err
		}
		images = append(images, b.Bytes())
	}
	var out bytes.Buffer
	// ICONDIR, then one ICONDIRENTRY per image, then the images.
	binary.Write(&out, binary.LittleEndian, [3]uint16{0, 1, uint16(len(images))})
	offset := 6 + 16*len(images)
	for i, img := range images {
		side := uint8(sizes[i] % 256) // 0 means 256
		binary.Write(&out, binary.LittleEndian, struct {
			W, H, Colors, Reserved uint8
			Planes, Bits           uint16
			Size, Offset           uint32
		}{side, side, 0, 0, 1, 32, uint32(len(img)), uint32(offset)})
		offset += len(img)
	}
	for _, img := range images {
		out.Write(img)
	}
	return out.Bytes(), nil
}
