# Privacy and access rules that hold everywhere (issue 13).
private-chat-only = I only talk in private chats, so nothing personal is shown to a group. Please write to me directly: { $bot }
