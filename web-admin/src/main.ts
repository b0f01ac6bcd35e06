document.title = "Task queue admin";
