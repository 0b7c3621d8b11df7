package ubl

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Walk calls fn for every UBL file at p: the file itself, every *.xml file
// under a directory (recursively, in lexical order, hidden files skipped),
// or every *.xml member of a zip file (p itself or a *.zip found in a
// directory). Members are named "archive.zip!dir/member.xml". An error from
// fn stops the walk and is returned.
func Walk(p string, fn func(name string, r io.Reader) error) error {
	st, err := os.Stat(p)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return walkFile(p, true, fn)
	}
	return filepath.WalkDir(p, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		base := d.Name()
		if name != p && strings.HasPrefix(base, ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		ext := strings.ToLower(filepath.Ext(base))
		if ext != ".xml" && ext != ".zip" {
			return nil
		}
		return walkFile(name, false, fn)
	})
}

// walkFile opens one file: a zip is walked, anything else handed to fn
// (explicit names always; found in a directory only *.xml).
func walkFile(name string, explicit bool, fn func(name string, r io.Reader) error) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	head, _ := br.Peek(4)
	if bytes.Equal(head, []byte("PK\x03\x04")) {
		st, err := f.Stat()
		if err != nil {
			return err
		}
		return walkZip(name, f, st.Size(), fn)
	}
	if !explicit && strings.ToLower(filepath.Ext(name)) != ".xml" {
		return nil
	}
	return fn(name, br)
}

func walkZip(name string, ra io.ReaderAt, size int64, fn func(name string, r io.Reader) error) error {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	for _, zf := range zr.File {
		member := filepath.ToSlash(zf.Name)
		base := path.Base(member)
		if zf.FileInfo().IsDir() || strings.HasPrefix(base, ".") || strings.HasPrefix(member, "__MACOSX/") ||
			strings.ToLower(path.Ext(base)) != ".xml" {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return fmt.Errorf("%s!%s: %w", name, member, err)
		}
		err = fn(name+"!"+member, rc)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}
