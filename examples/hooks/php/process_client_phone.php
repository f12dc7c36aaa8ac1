<?php
// process_client_phone — in the shape of the original connector's hooks: the client's number in
// the +7 format before it is sent to the CRM. The connector starts
// `php process_client_phone.php`, writes the JSON input to stdin and reads the JSON reply from
// stdout. (Served by a web server instead, read php://input and set hooks.urls in the settings.)

$input = json_decode(file_get_contents('php://stdin'), true);
if (!is_array($input) || !isset($input['phone'])) {
    fwrite(STDERR, "no phone in the input\n");
    exit(1);
}

$phone = $input['phone'];
$digits = preg_replace('/\D/', '', $phone);
if (strlen($digits) == 11 && ($digits[0] == '8' || $digits[0] == '7')) {
    $phone = '+7' . substr($digits, 1);
}

echo json_encode(array(
    'data' => array('phone' => $phone),
    'state' => 'success',
));
