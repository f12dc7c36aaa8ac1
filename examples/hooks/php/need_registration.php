<?php
// need_registration — do not register calls that came in through the fax trunk.
$input = json_decode(file_get_contents('php://stdin'), true);
$trunk = isset($input['call_full']['trunk']) ? $input['call_full']['trunk'] : '';

echo json_encode(array(
    'data' => array('result' => $trunk !== 'fax-line'),
    'state' => 'success',
));
