package storagetest_test

import (
	"testing"

	"github.com/trolly-logs/trolly/storage"
	"github.com/trolly-logs/trolly/storage/storagetest"
)

func TestMemBucket(t *testing.T) {
	storagetest.Run(t, func(*testing.T) storage.Bucket { return storagetest.NewMemBucket() })
}
