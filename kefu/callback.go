package kefu

import (
	"context"
	"net/url"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/wechat"
)

// JobSync reads a channel's new messages with kf/sync_msg.
const JobSync triage.JobKind[SyncArgs] = "wechat.sync"

// SyncArgs name the channel, and the Token of the notification that asked
// (valid ten minutes; without it kf/sync_msg is strictly rate-limited).
type SyncArgs struct {
	ChannelID string `json:"channel_id"`
	Token     string `json:"token,omitempty"`
	OpenKfID  string `json:"open_kfid,omitempty"`
}

// VerifyURL answers 企业微信's URL verification of channel id's callback:
// the decrypted echostr. A forged, stale or replayed request, or one for
// another corp, is refused (401/403) and echoes nothing.
func (s *Service) VerifyURL(ctx context.Context, id string, q url.Values) (string, error) {
	cb, _, err := s.callbackOf(ctx, id)
	if err != nil {
		return "", err
	}
	return cb.VerifyURL(q)
}

// Notify takes an encrypted notification for channel id: it checks it
// (signature, freshness, corp id, replay) and queues a sync of the
// channel, after the channel's pause. Nothing else happens on the
// request's path: the messages are read by the job.
func (s *Service) Notify(ctx context.Context, id string, q url.Values, body []byte) error {
	cb, c, err := s.callbackOf(ctx, id)
	if err != nil {
		return err
	}
	n, err := cb.Open(q, body)
	if err != nil {
		return err
	}
	if n.CorpID != c.CorpID {
		return triage.Errorf(triage.EFORBIDDEN, "the notification is for another corp")
	}
	if n.Event != wechat.EventKfMsgOrEvent || !c.Enabled {
		return nil // another app's event sharing the URL, or a paused channel
	}
	j, err := JobSync.Job(SyncArgs{ChannelID: c.ID, Token: n.Token, OpenKfID: n.OpenKfID})
	if err != nil {
		return err
	}
	// Every notification gets its read, after the pause: the first read
	// takes what the customer wrote in one go, and the reads after it
	// find little or nothing new. No unique key: one that is dropped
	// while a read runs could leave a message unread until the next
	// notification.
	j.RunAt = time.Now().Add(time.Duration(c.PauseSeconds) * time.Second)
	if err := s.Queue.Insert(ctx, j); err != nil {
		// Not acknowledged: 企业微信 retries the same signed request,
		// which must then not be taken for a replay.
		cb.Forget(q)
		return err
	}
	return nil
}

func (s *Service) callbackOf(ctx context.Context, id string) (*wechat.Callback, *triage.WeChatChannel, error) {
	c, err := s.Store.WeChatChannel(ctx, id)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil, nil, triage.Errorf(triage.ENOTFOUND, "no WeChat channel %s", id)
	} else if err != nil {
		return nil, nil, err
	}
	cb, err := s.callback(c)
	if err != nil {
		return nil, nil, err
	}
	return cb, c, nil
}

// SyncNow queues a read of a channel now, without a notification (an
// admin's "read now", or after fixing the connection).
func (s *Service) SyncNow(ctx context.Context, id string) error {
	if _, err := s.Store.WeChatChannel(ctx, id); err != nil {
		return err
	}
	j, err := JobSync.Job(SyncArgs{ChannelID: id})
	if err != nil {
		return err
	}
	return s.Queue.Insert(ctx, j)
}
