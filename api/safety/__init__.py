"""The safety screen: crisis and safeguarding phrases, checked before the bot sees a message."""
