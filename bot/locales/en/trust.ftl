# Privacy and access rules that hold everywhere (issue 13).
private-chat-only = I only talk in private chats, so nothing personal is shown to a group. Please write to me directly: { $bot }
question-content-free = { $example ->
        [none] Please ask me a full question about the programme.
       *[other] Please ask me a full question, for example: <i>{ $example }</i>
    }
insights-content-free = Not a question (👍, ok, a single word): { $count }, asked for a full question
help-commands = <b>Your commands</b>
onboarding-accept-first = Please accept the privacy notice first (/privacy shows it); I will answer your question right after.
onboarding-accept-first-command = Please accept the privacy notice first (/privacy shows it), then send { $command } again.
