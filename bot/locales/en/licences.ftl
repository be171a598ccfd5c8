# Licences: /apply, /mylicence, selection outcomes, nudges.
licence-no-intake = No intake is taking applications right now. { -programme-operator } announces each intake; I will tell you when one opens.
licence-apply-intro =
    <b>Apply for a Coursera licence: { $intake }</b>
    Applications close on { $deadline }. Type /cancel at any step to stop.
licence-yes = Yes
licence-no = No
licence-not-eligible = Thank you. From your answers you are not eligible in this intake, so the application stops here.
licence-choose-domains = Which priority areas do you want to learn in? Choose one or more, then press Done.
licence-choose-tracks = Choose up to { $count } learning tracks, then press Done.
licence-done-button = Done
licence-choose-one = Choose at least one first.
licence-too-many-tracks = You can choose at most { $count } tracks.
licence-ask-email = Type your university e-mail address (it must end in { $domains }). I will mail you a one-time code.
licence-email-not-allowed = That is not a university e-mail address this intake accepts. Please type your university address.
licence-email-taken = Another Telegram account has already applied to this intake with that address, and an address holds one application. If that account is yours, use it (or withdraw the application there first); otherwise type your own university address.
licence-code-sent = I sent a 6-digit code to { $email }. Type it here (it is valid for 15 minutes). Mistyped the address? Type the right one instead.
licence-code-wrong = That code is not right. Please check the e-mail and type the code again.
licence-code-expired = That code has expired. Type your university e-mail address again and I will send a new code.
licence-code-too-many = Too many codes were sent in the last hour. Please try again later.
licence-mail-failed = I could not send the e-mail just now. Please try again in a few minutes.
licence-email-verified = ✅ { $email } is verified.
licence-confirm =
    <b>Please check your application</b>
    Priority areas: { $domains }
    Learning tracks: { $tracks }
licence-submit-button = Submit application
licence-submitted = ✅ Your application (number { $number }) is submitted. You can change it with /apply until the deadline. /mylicence shows where it stands.
licence-already-applied = You have applied to { $intake }. Edit your application or withdraw it?
licence-edit-button = Edit
licence-withdraw-button = Withdraw
licence-withdrawn = Your application is withdrawn. You can apply again with /apply before the deadline.
licence-locked = Your application can no longer be changed (it has been decided, or the deadline has passed). /mylicence shows where it stands.
licence-intake-closed = <b>{ $intake }</b> stopped taking applications before this form was sent, so nothing was submitted. Send /apply to see whether another intake is open.
licence-mail-subject = Your hecbot verification code
licence-mail-body =
    Your code to verify this address for a Coursera licence application is: { $code }
    It is valid for { $minutes } minutes. If you did not ask for it, ignore this e-mail.
licence-none = You have not applied for a licence yet. Type /apply when an intake is open.
licence-status-draft = Your application to { $intake } is not submitted yet. Type /apply to finish it.
licence-status-applied = Your application to { $intake } is submitted and waiting for { -programme-operator }'s decision.
licence-status-waitlisted = You are on the waiting list of { $intake }. You move up when a seat frees.
licence-status-rejected = Your application to { $intake } was not approved.
licence-status-withdrawn = You withdrew your application to { $intake }.
licence-status-reclaimed = Your licence of { $intake } was given to the waiting list because it was not used.
licence-status-approved = 🎉 Your licence of { $intake } is approved. Coursera will e-mail you an invitation.
licence-status-invited = Coursera has invited you ({ $intake }). Open the invitation e-mail and join.
licence-status-joined = You have joined Coursera ({ $intake }). Start your first course!
licence-status-active = Your licence of { $intake } is active. Keep going!
licence-status-inactive = Your licence of { $intake } has had no activity for 30 days. Unused licences can go to the waiting list.
licence-status-ended = Your licence of { $intake } has ended.
licence-days-left = Days left: <b>{ $days }</b> (until { $ends }).
licence-reason = Reason: { $reason }
licence-progress = Courses completed: <b>{ $completed }</b> of { $enrolled } started · learning hours: <b>{ $hours }</b> (Coursera report of { $as_of }).
licence-plan-progress = Your /myplan: { $done } of { $total } courses done.
licence-plan-at-risk = ⚠️ Your plan has more courses left than fit in the days left. Pick the most important ones first.
licence-outcome-approved = 🎉 Your application to { $intake } is approved. Coursera will e-mail you an invitation to join.
licence-outcome-waitlisted = Your application to { $intake } is on the waiting list. You will be told as soon as a seat frees.
licence-outcome-rejected = Your application to { $intake } was not approved. Reason: { $reason }
licence-outcome-promoted = 🎉 A seat freed up: your application to { $intake } is now approved. Coursera will e-mail you an invitation.
licence-reclaim-warning = Your Coursera licence has had no activity for 30 days. If it stays unused, it will be given to a learner on the waiting list. Start a course this week to keep it.
licence-reclaimed = Your unused Coursera licence has been given to a learner on the waiting list.
licence-funnel-caption = Licence funnel of { $scope } as of { $as_of }: { $applied } applied, { $approved } approved, { $invited } invited, { $joined } joined, { $active } active in 30 days, { $completed } completed a course; { $courses } courses completed, { $hours } learning hours.
licence-nudge-report-caption = Nudge { $rule }: { $outcome } { $nudged_rate } with the nudge ({ $nudged }) against { $holdout_rate } in the holdout ({ $holdout }); difference { $difference } points (95% CI { $low } to { $high }).
licence-nudge-report-empty = No nudge rule has assignments yet.
