package ubl

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/batchtool/batchtool/internal/ziparchive"
)

// Walk calls fn for every UBL file at p: the file itself, every *.xml file
// under a directory (recursively, in lexical order, hidden files skipped),
// or every *.xml member of a zip file (p itself or a *.zip found in a
// directory). Members are named "archive.zip!dir/member.xml". An error from
// fn stops the walk and is returned. A file that cannot be read (a broken
// zip, a member that does not decompress, an unreadable directory) does not
// stop the walk: the others are still walked, and every such error is
// returned at the end, joined (errors.Join), each naming its file.
func Walk(p string, fn func(name string, r io.Reader) error) error {
	st, err := os.Stat(p)
	if err != nil {
		return err
	}
	var fileErrs []error
	if !st.IsDir() {
		err := walkFile(p, true, fn, &fileErrs)
		return errors.Join(append([]error{err}, fileErrs...)...)
	}
	err = filepath.WalkDir(p, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			fileErrs = append(fileErrs, err)
			if d != nil && d.IsDir() && name != p {
				return filepath.SkipDir
			}
			return nil
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
		return walkFile(name, false, fn, &fileErrs)
	})
	return errors.Join(append([]error{err}, fileErrs...)...)
}

// walkFile opens one file: a zip is walked, anything else handed to fn
// (explicit names always; found in a directory only *.xml).
// It returns only errors of fn; errors of the file go to errs.
func walkFile(name string, explicit bool, fn func(name string, r io.Reader) error, errs *[]error) error {
	f, err := os.Open(name)
	if err != nil {
		*errs = append(*errs, err)
		return nil
	}
	defer f.Close()
	br := bufio.NewReader(f)
	head, _ := br.Peek(4)
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case ziparchive.IsZip(head):
		st, err := f.Stat()
		if err != nil {
			*errs = append(*errs, err)
			return nil
		}
		return walkZip(name, f, st.Size(), fn, errs)
	case ext == ".zip" && !explicit:
		*errs = append(*errs, fmt.Errorf("%s: not a zip file", name))
		return nil
	case !explicit && ext != ".xml":
		return nil
	}
	return fn(name, br)
}

// walkZip walks the *.xml members of a zip within the bounds of
// ziparchive (members, expansion, names): a refused archive or member is a
// file error like a broken one.
func walkZip(name string, ra io.ReaderAt, size int64, fn func(name string, r io.Reader) error, errs *[]error) error {
	a, err := ziparchive.Open(name, ra, size)
	if err != nil {
		*errs = append(*errs, err)
		return nil
	}
	for _, m := range a.Members {
		base := path.Base(m.Path)
		if strings.HasPrefix(base, ".") || strings.HasPrefix(m.Path, "__MACOSX/") ||
			strings.ToLower(path.Ext(base)) != ".xml" {
			continue
		}
		rc, err := m.Open()
		if err != nil {
			*errs = append(*errs, err)
			continue
		}
		err = fn(m.Name, rc)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}
