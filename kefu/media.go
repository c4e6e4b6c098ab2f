package kefu

import (
	"context"
	"mime"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/desk"
	"github.com/triagehq/triage/wechat"
)

func utf8ValidTail(s string) bool { return utf8.ValidString(s) }

// JobMedia fetches one record's media with media/get and attaches it.
const JobMedia triage.JobKind[MediaArgs] = "wechat.media"

// MediaArgs name the record whose media to fetch.
type MediaArgs struct {
	RecordID string `json:"record_id"`
}

// fetchMedia is the JobMedia handler: the download happens outside any
// transaction; the file, its attachment and the record's emptied media id
// commit together, so a retried job stores the file once.
func (s *Service) fetchMedia(ctx context.Context, a MediaArgs) error {
	rec, err := s.Store.WeChatMessage(ctx, a.RecordID)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil
	} else if err != nil {
		return err
	}
	if rec.MediaID == "" || rec.TicketID == "" {
		return nil
	}
	c, err := s.Store.WeChatChannel(ctx, rec.ChannelID)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil
	} else if err != nil {
		return err
	}
	cl, err := s.client(c)
	if err != nil {
		return err
	}
	d, derr := cl.GetMedia(ctx, rec.MediaID, triage.MaxAttachmentBytes)
	if derr != nil && wechat.Retryable(derr) {
		return derr
	}
	return s.Store.Update(ctx, func(tx triage.Tx) error {
		cur, err := tx.WeChatMessage(ctx, rec.ID)
		if err != nil || cur.MediaID == "" {
			return err
		}
		cur.MediaID, cur.UpdatedAt = "", s.now()
		if derr != nil || len(d.Data) == 0 {
			// Gone (media live three days), too large, or refused: the
			// record says so and the ticket's history too.
			msg := "empty"
			if derr != nil {
				msg = clip(derr.Error(), 500)
			}
			cur.Error = msg
			if err := tx.UpdateWeChatMessage(ctx, cur); err != nil {
				return err
			}
			return tx.AddHistory(ctx, &triage.HistoryEntry{ID: triage.NewID(), TicketID: cur.TicketID, Actor: "system:wechat", At: s.now(),
				Field: "attachment", Old: cur.ID, Why: triage.Reasons{triage.NewReason(triage.ReasonWeChatMediaFailed, cur.Type, msg)}})
		}
		sha, err := tx.PutBlob(ctx, d.Data)
		if err != nil {
			return err
		}
		att := &triage.Attachment{ID: triage.NewID(), TicketID: cur.TicketID, CommentID: cur.CommentID, Name: fileName(cur, d),
			ContentType: desk.SniffContentType(fileName(cur, d), contentType(d), d.Data), Size: int64(len(d.Data)), SHA256: sha, CreatedAt: s.now()}
		if err := tx.AddAttachment(ctx, att); err != nil {
			return err
		}
		return tx.UpdateWeChatMessage(ctx, cur)
	})
}

func contentType(d wechat.Download) string {
	ct := d.ContentType
	if mt, _, err := mime.ParseMediaType(ct); err == nil && mt != "" && mt != "application/octet-stream" {
		return mt
	}
	if byExt := mime.TypeByExtension(path.Ext(d.Filename)); byExt != "" {
		return byExt
	}
	return "application/octet-stream"
}

func fileName(r *triage.WeChatMessage, d wechat.Download) string {
	name := triage.CleanFileName(d.Filename)
	if name == "" || !strings.Contains(name, ".") {
		ext := map[string]string{"image": ".jpg", "voice": ".amr", "video": ".mp4"}[r.Type]
		name = r.Type + "-" + r.MsgID[:min(len(r.MsgID), 12)] + ext
	}
	return name
}
